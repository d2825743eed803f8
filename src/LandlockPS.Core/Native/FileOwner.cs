namespace LandlockPS.Core.Native;

/// <summary>Who owns a path itself: a final link is not followed, so a link is judged as the link.</summary>
public static unsafe class FileOwner
{
    /// <summary>The owner of <paramref name="path"/> and whether it is a directory; null when it cannot be looked at.</summary>
    public static uint? Of(string path, out bool isDirectory)
    {
        LibC.StatxBuffer status = default;
        isDirectory = false;
        if (LibC.Statx(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_UID | LibC.STATX_TYPE, &status) != 0) return null;
        isDirectory = status.IsDirectory;
        return status.Uid;
    }

    /// <summary>
    /// Whether only root can change <paramref name="folder"/>'s entries: it and every folder above it
    /// are owned by root and writable by no group or other user (a link is judged as the link).
    /// </summary>
    public static bool IsRootOnlyFolder(string folder)
    {
        for (string? current = folder; current is not null; current = System.IO.Path.GetDirectoryName(current))
        {
            LibC.StatxBuffer status = default;
            if (LibC.Statx(LibC.AT_FDCWD, current, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_UID | LibC.STATX_TYPE | LibC.STATX_MODE, &status) != 0) return false;
            if (!status.IsDirectory || status.Uid != 0 || (status.Mode & GroupOrOtherWrite) != 0) return false;
        }
        return true;
    }

    private const ushort GroupOrOtherWrite = 0x12; // S_IWGRP | S_IWOTH

    /// <summary>Whether <paramref name="path"/> itself belongs to the user this process acts as.</summary>
    public static bool IsCallers(string path) => Of(path, out _) == ProcessApi.GetEuid();
}
