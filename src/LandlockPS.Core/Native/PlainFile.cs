using System.IO;
using Microsoft.Win32.SafeHandles;

namespace LandlockPS.Core.Native;

/// <summary>Why <see cref="PlainFile.TryOpen"/> refused a file.</summary>
public enum PlainFileProblem
{
    None,
    /// <summary>The open failed; the errno says why.</summary>
    OpenFailed,
    /// <summary>A directory, FIFO, device or socket, or (without following) a link.</summary>
    NotRegular,
    Empty,
    TooLarge,
}

/// <summary>
/// Opens a file for reading only if it is a regular file of a bounded size, judged on the very file
/// opened: a FIFO, a device or (when links are not followed) a link put there, even between a check
/// and the open, is refused, and opening a FIFO never waits for a writer.
/// </summary>
public static unsafe class PlainFile
{
    /// <summary>The opened file, or null with the reason (and errno for <see cref="PlainFileProblem.OpenFailed"/>).</summary>
    public static FileStream? TryOpen(string path, bool followLinks, long maxBytes, out PlainFileProblem problem, out int errno)
    {
        errno = 0;
        int flags = LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC | (followLinks ? 0 : LibC.O_NOFOLLOW);
        int fd = LibC.Open(path, flags, 0);
        if (fd < 0)
        {
            errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            problem = errno == Errno.ELOOP && !followLinks ? PlainFileProblem.NotRegular : PlainFileProblem.OpenFailed;
            return null;
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        LibC.StatxBuffer status = default;
        problem = LibC.Statx(fd, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_TYPE | LibC.STATX_SIZE, &status) != 0 || !status.IsRegularFile
            ? PlainFileProblem.NotRegular
            : status.Size == 0 ? PlainFileProblem.Empty
            : status.Size > (ulong)maxBytes ? PlainFileProblem.TooLarge
            : PlainFileProblem.None;
        if (problem != PlainFileProblem.None)
        {
            handle.Dispose();
            return null;
        }
        return new FileStream(handle, FileAccess.Read);
    }

    /// <summary>Copies <paramref name="source"/> to a new file <paramref name="target"/> if it is a plain, unlinked file of 1..<paramref name="maxBytes"/> bytes.</summary>
    public static bool TryCopy(string source, string target, long maxBytes)
    {
        using FileStream? input = TryOpen(source, followLinks: false, maxBytes, out _, out _);
        if (input is null) return false;
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
        input.CopyTo(output);
        return true;
    }
}
