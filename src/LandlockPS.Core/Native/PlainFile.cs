using System;
using System.Buffers;
using System.IO;
using Microsoft.Win32.SafeHandles;

namespace LandlockPS.Core.Native;

/// <summary>Why <see cref="PlainFile.TryOpen"/> refused a file.</summary>
public enum PlainFileProblem
{
    /// <summary>The file was opened.</summary>
    None,
    /// <summary>The open failed; the errno says why.</summary>
    OpenFailed,
    /// <summary>A directory, FIFO, device or socket, or (without following) a link.</summary>
    NotRegular,
    /// <summary>The file is empty.</summary>
    Empty,
    /// <summary>The file is larger than the limit.</summary>
    TooLarge,
}

/// <summary>
/// Opens a file for reading only if it is a regular file of a bounded size, judged on the very file
/// opened: a FIFO, a device or (when links are not followed) a link put there, even between a check
/// and the open, is refused without ever being opened for reading.
/// </summary>
public static class PlainFile
{
    /// <summary>The opened file, or null with the reason (and errno for <see cref="PlainFileProblem.OpenFailed"/>).</summary>
    public static FileStream? TryOpen(string path, bool followLinks, long maxBytes, out PlainFileProblem problem, out int errno)
    {
        // First an O_PATH descriptor, which opens nothing: a FIFO, a tape or a watchdog device named
        // here (a library search path can be made to point anywhere) is judged, never opened.
        using SafePathHandle? located = PathHandles.TryOpen(path, out errno, followLinks);
        return TryOpenLocated(located, maxBytes, out problem, ref errno);
    }

    /// <summary>
    /// Copies the file <paramref name="relative"/> beneath <paramref name="root"/>, reached without
    /// following any link, to a new file <paramref name="name"/> in <paramref name="target"/>, if it
    /// is a plain file of 1..<paramref name="maxBytes"/> bytes. For files a sandbox may have planted
    /// links to: a link anywhere on the way makes the copy not happen.
    /// </summary>
    public static bool TryCopyBeneath(string root, string relative, SafeDirectoryHandle target, string name, long maxBytes)
    {
        using SafePathHandle? located = PathHandles.TryOpenBeneath(root, relative, out int errno);
        using FileStream? input = TryOpenLocated(located, maxBytes, out _, ref errno);
        // A file grown past the limit since its size was checked is not copied at all.
        if (input is null || PooledRead.ReadAtMost(input, maxBytes, out int length) is not { } content) return false;
        try
        {
            using SafeDescriptorHandle created = target.CreateFile(name);
            SafeDirectoryHandle.WriteAll(created, content.AsSpan(0, length));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }
    }

    private static FileStream? TryOpenLocated(SafePathHandle? located, long maxBytes, out PlainFileProblem problem, ref int errno)
    {
        if (located is null)
        {
            problem = PlainFileProblem.OpenFailed;
            return null;
        }
        problem = !PathHandles.TryStatus(located, out LibC.StatxBuffer status, out _) || !status.IsRegularFile
            ? PlainFileProblem.NotRegular
            : status.Size == 0 ? PlainFileProblem.Empty
            : status.Size > (ulong)maxBytes ? PlainFileProblem.TooLarge
            : PlainFileProblem.None;
        if (problem != PlainFileProblem.None) return null;
        // Then read access to that very inode, through its descriptor: the path may name something else by now.
        int readable = LibC.Open($"/proc/self/fd/{located.Fd}", LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.O_NONBLOCK, 0);
        if (readable < 0)
        {
            errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            problem = PlainFileProblem.OpenFailed;
            return null;
        }
        return new FileStream(new SafeFileHandle(readable, ownsHandle: true), FileAccess.Read);
    }
}
