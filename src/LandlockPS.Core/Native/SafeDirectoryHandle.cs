using System;
using System.Runtime.InteropServices;
using System.Text;

namespace LandlockPS.Core.Native;

/// <summary>
/// An open directory: the only way the unconfined caller acts in a folder a sandbox may write.
/// Every name is one component taken relative to this descriptor, a link is never followed, and a
/// file is only ever created new. A name swapped for a link mid-way makes a call fail; it never
/// makes it reach somewhere else.
/// </summary>
public sealed unsafe partial class SafeDirectoryHandle : SafeFileDescriptor
{
    internal const int AT_REMOVEDIR = 0x200;
    internal const int O_WRONLY = 0x1;
    private const int O_CREAT = 0x40;
    private const int O_EXCL = 0x80;
    private const int LOCK_SH = 1;
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    // Read, as a folder only, never through a link.
    internal const int FolderFlags = LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;

    internal SafeDirectoryHandle(int fd) : base(fd) { }

    /// <summary>
    /// Opens a folder the caller chose by path (TMPDIR, say), following links as the caller's own
    /// shell would; what happens inside it from then on goes through the descriptor.
    /// </summary>
    public static SafeDirectoryHandle Open(string path)
    {
        int fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (fd < 0) throw Failure("open", path);
        return new SafeDirectoryHandle(fd);
    }

    /// <summary>Opens the folder <paramref name="name"/> in this one; a link there is an error.</summary>
    public SafeDirectoryHandle OpenChild(string name)
    {
        int fd = At(name, (dir, n) => OpenAt(dir, n, FolderFlags, 0));
        if (fd < 0) throw Failure("openat", name);
        return new SafeDirectoryHandle(fd);
    }

    /// <summary>
    /// Opens the existing file <paramref name="name"/> here (O_RDONLY or O_WRONLY), never through a
    /// link; null when it cannot, with the errno left for <see cref="Marshal.GetLastPInvokeError"/>.
    /// </summary>
    internal SafeDescriptorHandle? TryOpenFile(string name, int access)
    {
        int fd = At(name, (dir, n) => OpenAt(dir, n, access | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0));
        return fd < 0 ? null : new SafeDescriptorHandle(fd);
    }

    /// <summary>Makes the folder <paramref name="name"/> here (it must not exist yet) and opens it.</summary>
    public SafeDirectoryHandle CreateChild(string name, uint mode = 0x1C0 /* 0700 */)
    {
        if (At(name, (dir, n) => MkdirAt(dir, n, mode)) != 0) throw Failure("mkdirat", name);
        return OpenChild(name);
    }

    /// <summary>Makes a new file <paramref name="name"/> here and opens it for writing; an existing name, link or not, is an error.</summary>
    public SafeDescriptorHandle CreateFile(string name, uint mode = 0x180 /* 0600 */)
    {
        int fd = At(name, (dir, n) => OpenAt(dir, n, O_WRONLY | O_CREAT | O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, mode));
        if (fd < 0) throw Failure("openat", name);
        return new SafeDescriptorHandle(fd);
    }

    /// <summary>Writes a whole new file <paramref name="name"/> here, with <paramref name="mode"/> less the umask.</summary>
    public void WriteNewFile(string name, ReadOnlySpan<byte> content, uint mode = 0x180 /* 0600 */)
    {
        using SafeDescriptorHandle file = CreateFile(name, mode);
        WriteAll(file, content);
    }

    /// <summary>Renames <paramref name="name"/> here to <paramref name="newName"/> here, replacing what that names (a link itself, never what it points to).</summary>
    public void Rename(string name, string newName)
    {
        RequireSingleName(name);
        RequireSingleName(newName);
        byte[] from = Encoding.UTF8.GetBytes(name + "\0");
        byte[] to = Encoding.UTF8.GetBytes(newName + "\0");
        bool added = false;
        DangerousAddRef(ref added);
        try
        {
            fixed (byte* f = from, t = to)
            {
                if (RenameAt(Fd, f, Fd, t) != 0) throw Failure("renameat", name);
            }
        }
        finally
        {
            if (added) DangerousRelease();
        }
    }

    /// <summary>Removes the file (or link) <paramref name="name"/> here; false when it cannot (gone, a folder).</summary>
    public bool TryRemoveFile(string name) => At(name, (dir, n) => UnlinkAt(dir, n, 0)) == 0;

    /// <summary>Removes <paramref name="name"/> here if it is a UNIX socket or a FIFO of <paramref name="owner"/> (itself: a link is not followed).</summary>
    internal bool TryRemoveChannel(string name, uint owner)
    {
        RequireSingleName(name);
        LibC.StatxBuffer status = default;
        if (LibC.Statx(Fd, name, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_TYPE | LibC.STATX_UID, &status) != 0) return false;
        return (status.IsSocket || status.IsFifo) && status.Uid == owner && TryRemoveFile(name);
    }

    /// <summary>The permission bits of the plain file <paramref name="name"/> here, itself (a link is not followed); null for anything else.</summary>
    public uint? PlainFileMode(string name)
    {
        RequireSingleName(name);
        LibC.StatxBuffer status = default;
        if (LibC.Statx(Fd, name, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_TYPE | LibC.STATX_MODE, &status) != 0 || !status.IsRegularFile) return null;
        return status.Mode & 0x1FFu; // rwx for user, group, other: never setuid, setgid or sticky
    }

    /// <summary>Writes every byte of <paramref name="content"/> to <paramref name="file"/>.</summary>
    internal static void WriteAll(SafeFileDescriptor file, ReadOnlySpan<byte> content)
    {
        fixed (byte* start = content)
        {
            int done = 0;
            while (done < content.Length)
            {
                nint wrote = ProcessApi.Write(file.Fd, start + done, (nuint)(content.Length - done));
                if (wrote < 0 && Marshal.GetLastPInvokeError() == ProcessApi.EINTR) continue;
                if (wrote <= 0) throw Failure("write", null);
                done += (int)wrote;
            }
        }
    }

    /// <summary>Takes a lock on the folder without waiting: shared while in use, exclusive to prove nobody uses it.</summary>
    public bool TryLock(bool exclusive) => Flock(Fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0;

    /// <summary>Owner, type, permissions, inode, device and birth time of the folder itself.</summary>
    internal LibC.StatxBuffer Status()
    {
        if (!PathHandles.TryStatus(this, out LibC.StatxBuffer status, out _)) throw Failure("statx", null);
        return status;
    }

    /// <summary>Opens the folder this one is in (the same folder at the file system's root).</summary>
    internal SafeDirectoryHandle OpenParent()
    {
        byte* up = stackalloc byte[] { (byte)'.', (byte)'.', 0 };
        bool added = false;
        DangerousAddRef(ref added);
        try
        {
            int fd = OpenAt(Fd, up, FolderFlags, 0);
            if (fd < 0) throw Failure("openat", "..");
            return new SafeDirectoryHandle(fd);
        }
        finally
        {
            if (added) DangerousRelease();
        }
    }

    /// <summary>Whether <paramref name="name"/> here names, itself (not through a link), the very folder <paramref name="folder"/> is open on.</summary>
    public bool Names(string name, SafeDirectoryHandle folder)
    {
        LibC.StatxBuffer here = default;
        if (LibC.Statx(Fd, name, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_TYPE | LibC.STATX_INO, &here) != 0) return false;
        LibC.StatxBuffer open = folder.Status();
        return here.Inode == open.Inode && here.DevMajor == open.DevMajor && here.DevMinor == open.DevMinor;
    }

    /// <summary>Removes the empty folder <paramref name="name"/> here; false when it cannot (not empty, gone, not a folder).</summary>
    public bool TryRemoveChild(string name) => At(name, (dir, n) => UnlinkAt(dir, n, AT_REMOVEDIR)) == 0;

    private delegate int AtCall(int dirFd, byte* name);

    private int At(string name, AtCall call)
    {
        RequireSingleName(name);
        byte[] bytes = Encoding.UTF8.GetBytes(name + "\0");
        bool added = false;
        DangerousAddRef(ref added);
        try
        {
            fixed (byte* n = bytes) return call(Fd, n);
        }
        finally
        {
            if (added) DangerousRelease();
        }
    }

    // One component: a slash or a dot-name would walk out of the folder.
    private static void RequireSingleName(string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('/') || name.Contains('\0'))
        {
            throw new ArgumentException($"'{name}' is not a single file name.", nameof(name));
        }
    }

    private static LandlockException Failure(string call, string? name)
    {
        int errno = Marshal.GetLastPInvokeError();
        string what = name is null ? string.Empty : $" '{name}'";
        return new LandlockException($"{call}{what} failed ({Errno.Name(errno)}).", call, errno, "FolderActionFailed");
    }

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    internal static partial int OpenAt(int dirFd, byte* name, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
    private static partial int MkdirAt(int dirFd, byte* name, uint mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    internal static partial int UnlinkAt(int dirFd, byte* name, int flags);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true)]
    private static partial int RenameAt(int oldDirFd, byte* oldName, int newDirFd, byte* newName);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
