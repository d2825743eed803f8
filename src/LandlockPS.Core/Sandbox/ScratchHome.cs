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
/// A private, writable folder a sandboxed child gets as its home, in the temp folder. Other
/// sandboxes may write the temp folder, and so this one: the caller therefore holds the home open
/// from the moment it makes it and does everything in it through that descriptor — folders made
/// new, files created new, never a link followed, removal by descriptor — and the child's rule on
/// it is built from the same descriptor (<see cref="Rule"/>). Whatever a sandbox plants or swaps
/// there, the caller never writes, creates or removes anything outside the folder it made.
/// A shared lock held on the home while it lives tells the sweep of abandoned homes which are in use.
/// </summary>
public sealed class ScratchHome : IDisposable
{
    internal const string Prefix = "landlockps-home-";
    private const int NameAttempts = 16;
    private readonly SafeDirectoryHandle _parent;
    private readonly string _name;
    private SandboxedProcess? _child;
    private int _removed;

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

    /// <summary>Makes a new home, readable and writable by this user alone, in the temp folder.</summary>
    public static ScratchHome Create()
    {
        ScratchHomes.Start();
        string parentPath = System.IO.Path.GetTempPath();
        SafeDirectoryHandle parent = SafeDirectoryHandle.Open(parentPath);
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
        ScratchHomes.Remove(this);
        RemoveNow();
    }

    internal void RemoveNow()
    {
        if (System.Threading.Interlocked.Exchange(ref _removed, 1) != 0) return;
        TreeRemover.Remove(_parent, _name, Folder);
        Folder.Dispose();
        _parent.Dispose();
    }

    internal bool IsRemoved => _removed != 0;

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
            if (status.IsDirectory && status.Uid == ProcessApi.GetEuid() && folder.TryLock(exclusive: false)) return (name, folder);
            folder.Dispose();
        }
        throw new LandlockException(
            $"Could not make a private home for the sandbox in {System.IO.Path.GetTempPath()}: every name tried was taken or replaced ({last?.Message}). " +
            "Check that TMPDIR is a folder only you can write.", "mkdirat", last?.Errno ?? 0, "ScratchHomeFailed");
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
