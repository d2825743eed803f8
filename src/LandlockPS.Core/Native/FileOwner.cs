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
    public static bool IsRootOnlyFolder(string folder) => OnlyChangedBy(folder, 0);

    /// <summary>
    /// Whether only root or the user this process acts as can change <paramref name="folder"/>'s
    /// entries, as <see cref="IsRootOnlyFolder"/> judges it (a folder reached through a link is not).
    /// </summary>
    public static bool IsPrivateFolder(string folder) => OnlyChangedBy(folder, ProcessApi.GetEuid());

    private static bool OnlyChangedBy(string folder, uint user)
    {
        for (string? current = folder; current is not null; current = System.IO.Path.GetDirectoryName(current))
        {
            LibC.StatxBuffer status = default;
            if (LibC.Statx(LibC.AT_FDCWD, current, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_UID | LibC.STATX_TYPE | LibC.STATX_MODE, &status) != 0) return false;
            if (!status.IsDirectory || status.Uid is not 0 && status.Uid != user || (status.Mode & GroupOrOtherWrite) != 0) return false;
        }
        return true;
    }

    /// <summary>
    /// Whether every user of the machine may read <paramref name="path"/> (links followed): others may
    /// read it and search every folder above it.
    /// </summary>
    public static bool IsPublic(string path)
    {
        if (!HasOtherBits(path, OtherRead)) return false;
        for (string? folder = System.IO.Path.GetDirectoryName(path); folder is not null; folder = System.IO.Path.GetDirectoryName(folder))
        {
            if (!HasOtherBits(folder, OtherSearch)) return false;
        }
        return true;
    }

    /// <summary>
    /// Whether <paramref name="file"/> itself (not through a link) belongs to root or the user this process
    /// acts as, and no group or other user may write it; <paramref name="names"/> is how many hard links it
    /// has (each a name it may be written through).
    /// </summary>
    public static bool IsPrivateFile(string file, out uint names)
    {
        LibC.StatxBuffer status = default;
        names = 0;
        if (LibC.Statx(LibC.AT_FDCWD, file, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_UID | LibC.STATX_MODE | LibC.STATX_NLINK, &status) != 0) return false;
        names = status.Links;
        return (status.Uid == 0 || status.Uid == ProcessApi.GetEuid()) && (status.Mode & GroupOrOtherWrite) == 0;
    }

    private static bool HasOtherBits(string path, ushort bits)
    {
        LibC.StatxBuffer status = default;
        return LibC.Statx(LibC.AT_FDCWD, path, 0, LibC.STATX_MODE, &status) == 0 && (status.Mode & bits) == bits;
    }

    private const ushort OtherRead = 0x4; // S_IROTH
    private const ushort OtherSearch = 0x1; // S_IXOTH
    private const ushort GroupOrOtherWrite = 0x12; // S_IWGRP | S_IWOTH

    /// <summary>Whether <paramref name="path"/> itself belongs to the user this process acts as.</summary>
    public static bool IsCallers(string path) => Of(path, out _) == ProcessApi.GetEuid();
}
