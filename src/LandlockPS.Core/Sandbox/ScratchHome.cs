using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// A private, writable folder a sandboxed child gets as its home, in the folder of homes
/// (<see cref="HomeRoot"/>). A sandbox given write access there could write this one too: the
/// caller therefore holds the home open from the moment it makes it and does everything in it
/// through that descriptor — folders made new, files created new, never a link followed, removal by
/// descriptor — and the child's rule on it is built from the same descriptor (<see cref="Rule"/>).
/// Whatever a sandbox plants or swaps there, the caller never writes, creates or removes anything
/// outside the folder it made. A shared lock held on the home while it lives tells the sweep of
/// abandoned homes which are in use, and a mark made inside it at once tells the sweep it is a home.
/// </summary>
public sealed class ScratchHome : IDisposable
{
    internal const string Prefix = "landlockps-home-";
    internal const string MarkName = ".landlockps-home";
    private const int MaxMarkBytes = 128;
    // How long after its folder a mark may be made: at once, or a little later on a stalled machine.
    private static readonly TimeSpan MarkDelay = TimeSpan.FromSeconds(5);
    private const int NameAttempts = 16;
    private readonly SafeDirectoryHandle _parent;
    private readonly string _name;
    private SandboxedProcess? _child;
    // Held while the home is removed: a second caller (the exit's sweep of live homes, while a
    // session ends on another thread) waits for the removal under way rather than letting the
    // process exit in the middle of it.
    private readonly object _removal = new();
    private bool _removed;

    private ScratchHome(SafeDirectoryHandle parent, string parentPath, string name, SafeDirectoryHandle folder)
    {
        _parent = parent;
        _name = name;
        Folder = folder;
        Path = System.IO.Path.Combine(parentPath, name);
    }

    /// <summary>Where the home was made: what the child is told (HOME, TMPDIR). The caller never uses it.</summary>
    public string Path { get; }

    /// <summary>The home itself, open.</summary>
    public SafeDirectoryHandle Folder { get; }

    /// <summary>The child's rule on its home, attached to the folder held open, not to whatever its path names later.</summary>
    public HeldPathRule Rule(LandlockAccessFs access) => new(Folder, Path, access);

    /// <summary>Makes a new home, readable and writable by this user alone, in the folder of homes.</summary>
    public static ScratchHome Create()
    {
        ScratchHomes.Start();
        SafeDirectoryHandle parent = HomeRoot.Open(out string parentPath);
        try
        {
            (string name, SafeDirectoryHandle folder) = MakeUniqueFolder(parent);
            var home = new ScratchHome(parent, parentPath, name, folder);
            ScratchHomes.Add(home);
            return home;
        }
        catch
        {
            parent.Dispose();
            throw;
        }
    }

    /// <summary>Makes the folders <paramref name="names"/>, each inside the one before, and returns the last, open.</summary>
    public SafeDirectoryHandle CreateFolders(params string[] names)
    {
        SafeDirectoryHandle current = Folder;
        foreach (string name in names)
        {
            SafeDirectoryHandle next = current.CreateChild(name);
            if (!ReferenceEquals(current, Folder)) current.Dispose();
            current = next;
        }
        return current;
    }

    /// <summary>Names the child using this home: at exit it is killed before its home is removed.</summary>
    public void Attach(SandboxedProcess child) => _child = child;

    internal SandboxedProcess? Child => _child;

    /// <summary>Removes the home; what cannot be removed now (a file a child still holds) is left to the next sweep.</summary>
    public void Dispose()
    {
        // Removed before it leaves the live list, so the exit's sweep still finds it and waits.
        RemoveNow();
        ScratchHomes.Remove(this);
    }

    internal void RemoveNow()
    {
        lock (_removal)
        {
            if (_removed) return;
            _removed = true;
            // The mark goes last: a home something still writes to (a process that outlived its
            // run) stays marked, so the sweep can still prove it a home and take it once that is gone.
            TreeRemover.Remove(_parent, _name, Folder, last: MarkName);
            Folder.Dispose();
            _parent.Dispose();
        }
    }

    // A random name, made and opened with the caller's ownership checked on the descriptor. A
    // name taken meanwhile (by chance, or planted) is skipped; a link planted between making and
    // opening makes the open fail, and then the next name is tried.
    private static (string Name, SafeDirectoryHandle Folder) MakeUniqueFolder(SafeDirectoryHandle parent)
    {
        LandlockException? last = null;
        for (int attempt = 0; attempt < NameAttempts; attempt++)
        {
            string name = $"{Prefix}{Environment.ProcessId}-{RandomSuffix()}";
            SafeDirectoryHandle folder;
            try
            {
                folder = parent.CreateChild(name);
            }
            catch (LandlockException e) when (e.Errno is Errno.EEXIST or Errno.ELOOP or Errno.ENOTDIR)
            {
                last = e;
                continue;
            }
            LibC.StatxBuffer status = folder.Status();
            if (status.IsDirectory && status.Uid == ProcessApi.GetEuid() && folder.TryLock(exclusive: false) && TryMark(folder, status)) return (name, folder);
            folder.Dispose();
            // Given up: not left behind, unless something was put in it meanwhile.
            parent.TryRemoveChild(name);
        }
        throw new LandlockException(
            $"Could not make a private home for the sandbox in {HomeRoot.Path}: every name tried was taken or replaced ({last?.Message}). " +
            "Check that no sandbox may write there.", "mkdirat", last?.Errno ?? 0, "ScratchHomeFailed");
    }

    // The mark names the very folder it is in; a name taken meanwhile (planted) leaves the folder unmarked.
    private static bool TryMark(SafeDirectoryHandle folder, LibC.StatxBuffer status)
    {
        try
        {
            folder.WriteNewFile(MarkName, System.Text.Encoding.ASCII.GetBytes(MarkText(status)), 0x100 /* 0400 */);
            return true;
        }
        catch (LandlockException)
        {
            return false;
        }
    }

    private static string MarkText(LibC.StatxBuffer folder) =>
        string.Create(CultureInfo.InvariantCulture, $"LandlockPS home {folder.DevMajor}:{folder.DevMinor}:{folder.Inode}\n");

    /// <summary>
    /// Whether <paramref name="folder"/> (its <paramref name="status"/>) is a home a LandlockPS made:
    /// its mark is a plain file of the same owner that names this very folder, and was made with it.
    /// A folder of the caller's that a sandbox renamed to a home's name has no mark; one the sandbox
    /// marks itself is marked later than the folder was made (where the file system records when).
    /// </summary>
    internal static bool IsMarked(SafeDirectoryHandle folder, LibC.StatxBuffer status)
    {
        // Never blocking (a FIFO planted there), never through a link.
        using SafeDescriptorHandle? mark = folder.TryOpenFile(MarkName, LibC.O_RDONLY | LibC.O_NONBLOCK);
        if (mark is null || !PathHandles.TryStatus(mark, out LibC.StatxBuffer made, out _)) return false;
        if (!made.IsRegularFile || made.Uid != status.Uid || made.Size > MaxMarkBytes) return false;
        if (status.BirthTime is { } born && made.BirthTime is { } marked && (marked < born || marked - born > MarkDelay)) return false;
        return mark.ReadSmall(MaxMarkBytes) == MarkText(status);
    }

    private static string RandomSuffix() =>
        Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();

    /// <summary>The pid in a home's name, for the sweep.</summary>
    internal static int? MakerPid(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        int end = name.IndexOf('-', Prefix.Length);
        return end > Prefix.Length && int.TryParse(name.AsSpan(Prefix.Length, end - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            ? pid
            : null;
    }

    internal static string Pattern => Prefix + "*";
}
