using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace LandlockPS.Core.Native;

/// <summary>
/// Removes a folder tree that sandboxed code could write to while it is being removed. Every step
/// goes through an open descriptor of the folder and never follows a link, so swapping a subfolder
/// for a symlink mid-way removes the link, never what it points to (a path-based recursive delete,
/// as Directory.Delete does, would follow it with the caller's rights).
/// </summary>
internal static unsafe partial class TreeRemover
{
    // A descent goes no deeper than this (it bounds the descriptors held and the stack): a folder
    // there is lifted to the top, renamed into the folder being removed, for the next pass. Passes
    // go on while each lifts something, for a bounded time: a tree nested 100,000 deep goes in one
    // removal, while something still nesting folders there cannot keep the removal going for good.
    private const int MaxDepth = 64;
    private const long MaxPassMilliseconds = 10_000;
    private const uint RENAME_NOREPLACE = 1;

    /// <summary>
    /// Removes what <paramref name="folder"/> holds, then the folder itself from <paramref name="parent"/>
    /// if <paramref name="name"/> there still names it. Best effort, never throws. A <paramref name="last"/>
    /// entry goes only once nothing else is left, just before the folder: while something still
    /// writes there, the folder stays, and so does that entry.
    /// </summary>
    internal static void Remove(SafeDirectoryHandle parent, string name, SafeDirectoryHandle folder, string? last = null)
    {
        RemoveContents(folder, last);
        if (last is not null)
        {
            if (!HoldsOnly(folder, last)) return;
            // Whatever the entry is by now: the file it was, a folder put in its place, or nothing.
            RemoveContents(folder);
        }
        // A name swapped meanwhile for something else is not ours to remove.
        if (parent.Names(name, folder)) parent.TryRemoveChild(name);
    }

    /// <summary>Removes everything inside <paramref name="folder"/> but <paramref name="keep"/>; best effort, never throws.</summary>
    internal static void RemoveContents(SafeDirectoryHandle folder, string? keep = null)
    {
        byte[]? kept = keep is null ? null : Encoding.UTF8.GetBytes(keep + "\0");
        bool lifted = true;
        long deadline = Environment.TickCount64 + MaxPassMilliseconds;
        while (lifted && Environment.TickCount64 < deadline)
        {
            lifted = false;
            OnCopy(folder, copy => lifted = RemoveContents(copy, 0, kept, folder.Fd));
        }
    }

    // Whether the folder holds nothing but the entry named `only`.
    private static bool HoldsOnly(SafeDirectoryHandle folder, string only)
    {
        byte[] expected = Encoding.UTF8.GetBytes(only + "\0");
        bool alone = false;
        OnCopy(folder, copy =>
        {
            nint stream = FdOpenDir(copy);
            if (stream == 0)
            {
                LibC.Close(copy);
                return;
            }
            RewindDir(stream);
            List<byte[]> names = Names(stream);
            CloseDir(stream);
            alone = names.TrueForAll(n => n.AsSpan().SequenceEqual(expected));
        });
        return alone;
    }

    // Runs `use` on a copy of the folder's descriptor, which it takes over (fdopendir takes over the
    // descriptor it is given); not at all when no copy can be made.
    private static void OnCopy(SafeDirectoryHandle folder, Action<int> use)
    {
        bool added = false;
        folder.DangerousAddRef(ref added);
        try
        {
            int copy = ProcessApi.Fcntl(folder.Fd, ProcessApi.F_DUPFD_CLOEXEC, 3);
            if (copy >= 0) use(copy);
        }
        finally
        {
            if (added) folder.DangerousRelease();
        }
    }

    // Takes ownership of dirFd. `keep` (NUL-terminated) is left where it is, at the top only. True
    // when it lifted a folder too deep to descend into to the top (topFd) for another pass.
    private static bool RemoveContents(int dirFd, int depth, byte[]? keep, int topFd)
    {
        nint stream = FdOpenDir(dirFd);
        if (stream == 0)
        {
            LibC.Close(dirFd);
            return false;
        }
        bool lifted = false;
        try
        {
            // The stream's offset is shared with every copy of the descriptor: start at the top.
            RewindDir(stream);
            foreach (byte[] name in Names(stream))
            {
                if (keep is not null && name.AsSpan().SequenceEqual(keep)) continue;
                fixed (byte* entry = name)
                {
                    if (SafeDirectoryHandle.UnlinkAt(dirFd, entry, 0) == 0 || Marshal.GetLastPInvokeError() != Errno.EISDIR) continue;
                    if (depth >= MaxDepth)
                    {
                        lifted |= Lift(dirFd, entry, topFd);
                        continue;
                    }
                    int child = SafeDirectoryHandle.OpenAt(dirFd, entry, SafeDirectoryHandle.FolderFlags, 0);
                    if (child < 0) continue;
                    lifted |= RemoveContents(child, depth + 1, null, topFd);
                    SafeDirectoryHandle.UnlinkAt(dirFd, entry, SafeDirectoryHandle.AT_REMOVEDIR);
                }
            }
        }
        finally
        {
            CloseDir(stream); // closes dirFd too
        }
        return lifted;
    }

    // Renames the folder `entry` of dirFd into topFd, under a new name no entry there has.
    private static bool Lift(int dirFd, byte* entry, int topFd)
    {
        byte[] name = Encoding.ASCII.GetBytes($".landlockps-lifted-{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}\0");
        fixed (byte* to = name) return RenameAt2(dirFd, entry, topFd, to, RENAME_NOREPLACE) == 0;
    }

    // The entries' names (NUL-terminated bytes: names need not be valid UTF-8), all read before any
    // is removed.
    private static List<byte[]> Names(nint stream)
    {
        var names = new List<byte[]>();
        while (ReadDir(stream) is var entry && entry != 0)
        {
            // struct dirent on 64-bit Linux (glibc and musl): d_ino, d_off, d_reclen, d_type, d_name at 19.
            byte* name = (byte*)entry + 19;
            int length = 0;
            while (name[length] != 0) length++;
            if (length == 1 && name[0] == '.' || length == 2 && name[0] == '.' && name[1] == '.') continue;
            byte[] copy = new byte[length + 1];
            new System.ReadOnlySpan<byte>(name, length).CopyTo(copy);
            names.Add(copy);
        }
        return names;
    }

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static partial int RenameAt2(int oldDirFd, byte* oldName, int newDirFd, byte* newName, uint flags);

    [LibraryImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
    private static partial nint FdOpenDir(int fd);

    [LibraryImport("libc", EntryPoint = "rewinddir")]
    private static partial void RewindDir(nint stream);

    [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
    private static partial nint ReadDir(nint stream);

    [LibraryImport("libc", EntryPoint = "closedir", SetLastError = true)]
    private static partial int CloseDir(nint stream);
}
