using System.Runtime.InteropServices;
using System.Text;

namespace LandlockPS.Core.Native;

/// <summary>Looks paths up the way the kernel resolves them for a confined process: symlinks followed.</summary>
internal static class PathLookup
{
    /// <summary>How many symbolic links the kernel follows in one lookup before failing with ELOOP (MAXSYMLINKS).</summary>
    internal const int MaxSymlinks = 40;

    // A link's target is shorter than PATH_MAX: the kernel refuses to make a longer one.
    private const int PathMax = 4096;

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

    /// <summary>
    /// What the symbolic link <paramref name="path"/> holds, as written (a relative target is relative to
    /// the link's directory); null and the errno otherwise, EINVAL meaning it is not a link.
    /// </summary>
    internal static unsafe string? ReadLink(string path, out int errno)
    {
        byte* buffer = stackalloc byte[PathMax];
        nint length = LibC.ReadLink(path, buffer, PathMax);
        errno = length < 0 ? Marshal.GetLastPInvokeError() : 0;
        return length < 0 ? null : Encoding.UTF8.GetString(buffer, (int)length);
    }

    /// <summary>Why a lookup failed with <paramref name="errno"/>, in words, for messages about a path that cannot be used.</summary>
    internal static string Failure(int errno) => errno switch
    {
        Errno.ENOENT => "it does not exist (ENOENT)",
        Errno.ENOTDIR => "one of its parents is not a directory (ENOTDIR)",
        Errno.ELOOP => "resolving it meets too many levels of symbolic links (ELOOP)",
        Errno.ENAMETOOLONG => "it, or one of its names, is too long (ENAMETOOLONG)",
        _ => $"this session cannot look it up ({Errno.Name(errno)}); check the permissions of its parent directories",
    };

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
