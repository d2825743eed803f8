namespace LandlockPS.Core.Landlock;

/// <summary>Where the kernel checks each filesystem right, and which kinds of object a right can concern.</summary>
internal static class RightPlacement
{
    /// <summary>
    /// Rights about entries of a directory (make, remove, link or rename into): the kernel checks them on
    /// the directory that holds the entry, never on the entry itself.
    /// </summary>
    internal const LandlockAccessFs EntryRights =
        LandlockAccessFs.ReadWriteExecute & ~AccessGroups.FileApplicable & ~LandlockAccessFs.ReadDir;

    private const LandlockAccessFs OpenFileRights =
        LandlockAccessFs.Execute | LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile | LandlockAccessFs.Truncate;

    internal static bool IsEntryRight(LandlockAccessFs right) => (right & EntryRights) != 0;

    /// <summary>
    /// Whether the call that checks <paramref name="right"/> follows a symbolic link in the last component:
    /// opening does, and so does creating a regular file by open(O_CREAT), which creates the link's target.
    /// Removing, renaming, linking and the other makes act on the name itself (a link already there is EEXIST).
    /// </summary>
    internal static bool FollowsFinalLink(LandlockAccessFs right) => !IsEntryRight(right) || right == LandlockAccessFs.MakeReg;

    /// <summary>Why <paramref name="right"/> never concerns an object of <paramref name="type"/>; null when it can.</summary>
    internal static string? NotApplicableReason(LandlockAccessFs right, LandlockPathType type) => (right, type) switch
    {
        (_, LandlockPathType.Missing) => null,
        (LandlockAccessFs.ReadDir, not LandlockPathType.Directory) =>
            "ReadDir concerns listing a directory, and this is not one: nothing checks it here.",
        (LandlockAccessFs.RemoveDir, not LandlockPathType.Directory) =>
            "RemoveDir concerns directories; removing this is RemoveFile.",
        (LandlockAccessFs.RemoveFile, LandlockPathType.Directory) =>
            "RemoveFile concerns files; removing a directory is RemoveDir.",
        (_, LandlockPathType.Directory) when (right & OpenFileRights) != 0 =>
            $"{right} concerns files: opening a directory is checked as ReadDir.",
        (LandlockAccessFs.IoctlDev, not LandlockPathType.Device) =>
            "Landlock restricts ioctl only on character and block devices.",
        (LandlockAccessFs.ResolveUnix, not LandlockPathType.Socket) =>
            "ResolveUnix concerns connecting to a UNIX socket, and this is not one.",
        _ => null,
    };
}
