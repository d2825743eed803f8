using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>Opens rule paths the way Landlock wants them: O_PATH, close-on-exec, symlinks followed.</summary>
internal static class PathHandles
{
    /// <summary>Opens <paramref name="path"/>; returns null and the errno when it cannot.</summary>
    internal static SafePathHandle? TryOpen(string path, out int errno)
    {
        int fd = LibC.Open(path, LibC.O_PATH | LibC.O_CLOEXEC, 0);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new SafePathHandle(fd);
    }

    /// <summary>Whether the open descriptor is a directory. Asked of the fd, not the path, so it
    /// describes the very inode the rule will attach to.</summary>
    internal static bool IsDirectory(SafePathHandle handle) => Status(handle).IsDirectory;

    /// <summary>Whether the open descriptor is a regular file (no directory, FIFO, device or socket), asked of the fd as <see cref="IsDirectory"/> is.</summary>
    internal static bool IsRegularFile(SafePathHandle handle) => Status(handle).IsRegularFile;

    private static unsafe LibC.StatxBuffer Status(SafePathHandle handle)
    {
        LibC.StatxBuffer buffer = default;
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            int rc = LibC.Statx(handle.Fd, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_TYPE, &buffer);
            if (rc != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new LandlockException(
                    $"Could not inspect an opened rule path ({Errno.Name(errno)}).", "statx", errno);
            }
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
        return buffer;
    }
}
