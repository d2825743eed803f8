using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LandlockPS.Core.Native;

/// <summary>
/// Copies a file only if it is a regular file of a bounded size, judged on the very file opened:
/// a link, a FIFO or a device put there (even between a check and the open) is refused.
/// </summary>
public static unsafe class PlainFileCopy
{

    /// <summary>Copies <paramref name="source"/> to a new file <paramref name="target"/>; false if it is not a plain file of 1..<paramref name="maxBytes"/> bytes.</summary>
    public static bool TryCopy(string source, string target, long maxBytes)
    {
        // O_NOFOLLOW: a final link fails the open; O_NONBLOCK: opening a FIFO does not wait for a writer.
        int fd = LibC.Open(source, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0) return false;
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        LibC.StatxBuffer status = default;
        if (LibC.Statx(fd, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_TYPE | LibC.STATX_SIZE, &status) != 0) return false;
        if (!status.IsRegularFile || status.Size == 0 || status.Size > (ulong)maxBytes) return false;
        using var input = new FileStream(handle, FileAccess.Read);
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
        input.CopyTo(output);
        return true;
    }
}
