using System;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// Filesystem access rights (LANDLOCK_ACCESS_FS_*, bits from include/uapi/linux/landlock.h), plus the
/// named groups. A group used as a rule's access is resolved against the ruleset (see <see cref="AccessGroups"/>).
/// </summary>
[Flags]
public enum LandlockAccessFs : ulong
{
    None = 0,
    Execute = 1UL << 0,
    WriteFile = 1UL << 1,
    ReadFile = 1UL << 2,
    ReadDir = 1UL << 3,
    RemoveDir = 1UL << 4,
    RemoveFile = 1UL << 5,
    MakeChar = 1UL << 6,
    MakeDir = 1UL << 7,
    MakeReg = 1UL << 8,
    MakeSock = 1UL << 9,
    MakeFifo = 1UL << 10,
    MakeBlock = 1UL << 11,
    MakeSym = 1UL << 12,
    /// <summary>ABI 2: link or rename a file into another directory.</summary>
    Refer = 1UL << 13,
    /// <summary>ABI 3: truncate a file.</summary>
    Truncate = 1UL << 14,
    /// <summary>ABI 5: ioctl on a device file.</summary>
    IoctlDev = 1UL << 15,
    /// <summary>ABI 9: connect to a pathname UNIX socket.</summary>
    ResolveUnix = 1UL << 16,

    /// <summary>Group: read files and list directories.</summary>
    ReadOnly = ReadFile | ReadDir,
    /// <summary>Group: <see cref="ReadOnly"/> and execute files.</summary>
    ReadExecute = ReadOnly | Execute,
    /// <summary>Group: every right but <see cref="Execute"/>.</summary>
    ReadWrite = ReadWriteExecute & ~Execute,
    /// <summary>Group: every right.</summary>
    ReadWriteExecute = (1UL << 17) - 1,
}
