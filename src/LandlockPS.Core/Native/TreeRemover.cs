using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>
/// Removes a folder tree that sandboxed code could write to while it is being removed. Every step
/// goes through an open descriptor of the folder and never follows a link, so swapping a subfolder
/// for a symlink mid-way removes the link, never what it points to (a path-based recursive delete,
/// as Directory.Delete does, would follow it with the caller's rights).
/// </summary>
internal static unsafe partial class TreeRemover
{
    private const int AT_REMOVEDIR = 0x200;
    // Every folder is opened like this: read, as a folder only, never through a link.
    private const int FolderFlags = LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;
    // Deeper than this is left for the temp cleaner: it bounds the descriptors held and the stack.
    private const int MaxDepth = 64;

    /// <summary>Removes <paramref name="path"/> and what it holds; best effort, never throws.</summary>
    internal static void Remove(string path)
    {
        int fd = LibC.Open(path, FolderFlags, 0);
        if (fd < 0) return;
        RemoveContents(fd, 0);
        Rmdir(LibC.AT_FDCWD, path);
    }

    // Takes ownership of dirFd.
    private static void RemoveContents(int dirFd, int depth)
    {
        nint stream = FdOpenDir(dirFd);
        if (stream == 0)
        {
            LibC.Close(dirFd);
            return;
        }
        try
        {
            foreach (byte[] name in Names(stream))
            {
                fixed (byte* entry = name)
                {
                    if (UnlinkAt(dirFd, entry, 0) == 0 || Marshal.GetLastPInvokeError() != Errno.EISDIR || depth >= MaxDepth) continue;
                    int child = OpenAt(dirFd, entry, FolderFlags, 0);
                    if (child < 0) continue;
                    RemoveContents(child, depth + 1);
                    UnlinkAt(dirFd, entry, AT_REMOVEDIR);
                }
            }
        }
        finally
        {
            CloseDir(stream); // closes dirFd too
        }
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

    private static void Rmdir(int dirFd, string path)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes) UnlinkAt(dirFd, p, AT_REMOVEDIR);
    }

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static partial int OpenAt(int dirFd, byte* name, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    private static partial int UnlinkAt(int dirFd, byte* name, int flags);

    [LibraryImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
    private static partial nint FdOpenDir(int fd);

    [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
    private static partial nint ReadDir(nint stream);

    [LibraryImport("libc", EntryPoint = "closedir", SetLastError = true)]
    private static partial int CloseDir(nint stream);
}
