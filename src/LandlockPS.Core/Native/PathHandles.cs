using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>Opens rule paths the way Landlock wants them: O_PATH, close-on-exec, symlinks followed.</summary>
internal static class PathHandles
{
    /// <summary>Opens <paramref name="path"/> (a final link itself, without <paramref name="followLinks"/>); returns null and the errno when it cannot.</summary>
    internal static SafePathHandle? TryOpen(string path, out int errno, bool followLinks = true)
    {
        int fd = LibC.Open(path, LibC.O_PATH | LibC.O_CLOEXEC | (followLinks ? 0 : LibC.O_NOFOLLOW), 0);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new SafePathHandle(fd);
    }

    /// <summary>
    /// Opens <paramref name="relative"/> beneath the folder <paramref name="root"/> without following
    /// any link on the way (openat2 with RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH): for files in places
    /// a sandbox may write, where a planted link would lead elsewhere. The root itself is followed.
    /// </summary>
    internal static unsafe SafePathHandle? TryOpenBeneath(string root, string relative, out int errno)
    {
        using SafePathHandle? folder = TryOpen(root, out errno);
        if (folder is null) return null;
        var how = new OpenHow { Flags = (ulong)(LibC.O_PATH | LibC.O_CLOEXEC), Resolve = ResolveNoSymlinks | ResolveNoMagicLinks | ResolveBeneath };
        byte[] name = System.Text.Encoding.UTF8.GetBytes(relative + "\0");
        long fd;
        fixed (byte* n = name) fd = LibC.Syscall(SYS_openat2, folder.Fd, (nint)n, (nint)(&how), sizeof(OpenHow));
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new SafePathHandle((int)fd);
    }

    /// <summary>The plain file at the absolute <paramref name="path"/>, reached without following a link anywhere on the way; null when none is there that way.</summary>
    internal static SafePathHandle? TryOpenPlainFile(string path)
    {
        SafePathHandle? handle = TryOpenWithoutLinks(path, out LibC.StatxBuffer status);
        if (handle is null || status.IsRegularFile) return handle;
        handle.Dispose();
        return null;
    }

    /// <summary>What the absolute <paramref name="path"/> names, reached without following a link anywhere on the way, and its status; null when nothing is there that way.</summary>
    internal static SafePathHandle? TryOpenWithoutLinks(string path, out LibC.StatxBuffer status)
    {
        status = default;
        if (!System.IO.Path.IsPathFullyQualified(path)) return null;
        SafePathHandle? handle = TryOpenBeneath("/", path.TrimStart('/'), out _);
        if (handle is null || TryStatus(handle, out status, out _)) return handle;
        handle.Dispose();
        return null;
    }

    internal const uint FullStatus = LibC.STATX_TYPE | LibC.STATX_MODE | LibC.STATX_UID | LibC.STATX_INO | LibC.STATX_SIZE | LibC.STATX_BTIME;

    /// <summary>The inode <paramref name="path"/> names, links followed as a rule's path is; null when it names nothing.</summary>
    internal static unsafe LibC.StatxBuffer? TryStatus(string path)
    {
        LibC.StatxBuffer buffer = default;
        return LibC.Statx(LibC.AT_FDCWD, path, 0, FullStatus, &buffer) == 0 ? buffer : null;
    }

    private const long SYS_openat2 = 437;
    private const ulong ResolveNoMagicLinks = 0x02;
    private const ulong ResolveNoSymlinks = 0x04;
    private const ulong ResolveBeneath = 0x08;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>Whether the open descriptor is a directory. Asked of the fd, not the path, so it
    /// describes the very inode the rule will attach to.</summary>
    internal static bool IsDirectory(SafeFileDescriptor handle) => Status(handle).IsDirectory;

    /// <summary>Whether the open descriptor is a regular file (no directory, FIFO, device or socket), asked of the fd as <see cref="IsDirectory"/> is.</summary>
    internal static bool IsRegularFile(SafeFileDescriptor handle) => Status(handle).IsRegularFile;

    private static LibC.StatxBuffer Status(SafeFileDescriptor handle)
    {
        if (TryStatus(handle, out LibC.StatxBuffer buffer, out int errno)) return buffer;
        throw new LandlockException($"Could not inspect an opened rule path ({Errno.Name(errno)}).", "statx", errno);
    }

    /// <summary>The type, size, owner, identity and birth time of the open descriptor's inode; false and the errno when statx fails.</summary>
    internal static unsafe bool TryStatus(SafeFileDescriptor handle, out LibC.StatxBuffer buffer, out int errno)
    {
        buffer = default;
        errno = 0;
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            fixed (LibC.StatxBuffer* status = &buffer)
            {
                if (LibC.Statx(handle.Fd, string.Empty, LibC.AT_EMPTY_PATH, FullStatus, status) == 0) return true;
            }
            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }
}
