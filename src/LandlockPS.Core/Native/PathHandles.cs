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

    /// <summary>Whether the open descriptor is a directory. Asked of the fd, not the path, so it
    /// describes the very inode the rule will attach to.</summary>
    internal static bool IsDirectory(SafePathHandle handle) => Status(handle).IsDirectory;

    /// <summary>Whether the open descriptor is a regular file (no directory, FIFO, device or socket), asked of the fd as <see cref="IsDirectory"/> is.</summary>
    internal static bool IsRegularFile(SafePathHandle handle) => Status(handle).IsRegularFile;

    private static LibC.StatxBuffer Status(SafePathHandle handle)
    {
        if (TryStatus(handle, out LibC.StatxBuffer buffer, out int errno)) return buffer;
        throw new LandlockException($"Could not inspect an opened rule path ({Errno.Name(errno)}).", "statx", errno);
    }

    /// <summary>The type and size of the open descriptor's inode; false and the errno when statx fails.</summary>
    internal static unsafe bool TryStatus(SafePathHandle handle, out LibC.StatxBuffer buffer, out int errno)
    {
        buffer = default;
        errno = 0;
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            fixed (LibC.StatxBuffer* status = &buffer)
            {
                if (LibC.Statx(handle.Fd, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_TYPE | LibC.STATX_SIZE, status) == 0) return true;
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
