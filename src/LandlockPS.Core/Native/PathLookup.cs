using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>Looks paths up the way the kernel resolves them for a confined process: symlinks followed.</summary>
internal static class PathLookup
{
    /// <summary>The canonical path (every symlink resolved), or null and the errno.</summary>
    internal static string? RealPath(string path, out int errno)
    {
        nint resolved = LibC.RealPath(path, 0);
        errno = resolved == 0 ? Marshal.GetLastPInvokeError() : 0;
        if (resolved == 0) return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            LibC.Free(resolved);
        }
    }

    /// <summary>Type, inode and device of what <paramref name="path"/> leads to; false and the errno when it cannot be read.</summary>
    internal static unsafe bool TryStat(string path, out LibC.StatxBuffer buffer, out int errno)
    {
        LibC.StatxBuffer result = default;
        bool ok = LibC.Statx(LibC.AT_FDCWD, path, 0, LibC.STATX_TYPE | LibC.STATX_INO, &result) == 0;
        errno = ok ? 0 : Marshal.GetLastPInvokeError();
        buffer = result;
        return ok;
    }
}
