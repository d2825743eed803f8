using System;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// Filesystem access rights (LANDLOCK_ACCESS_FS_*, bits from include/uapi/linux/landlock.h), plus the
/// named groups. A group used as a rule's access is resolved against the ruleset (see <see cref="AccessGroups"/>).
/// </summary>
[Flags]
public enum LandlockAccessFs : ulong
{
    /// <summary>No right.</summary>
    None = 0,
    /// <summary>Execute a file.</summary>
    Execute = 1UL << 0,
    /// <summary>Open a file for writing.</summary>
    WriteFile = 1UL << 1,
    /// <summary>Open a file for reading.</summary>
    ReadFile = 1UL << 2,
    /// <summary>List a directory.</summary>
    ReadDir = 1UL << 3,
    /// <summary>Remove an empty directory.</summary>
    RemoveDir = 1UL << 4,
    /// <summary>Unlink a file.</summary>
    RemoveFile = 1UL << 5,
    /// <summary>Create a character device.</summary>
    MakeChar = 1UL << 6,
    /// <summary>Create a directory.</summary>
    MakeDir = 1UL << 7,
    /// <summary>Create a regular file.</summary>
    MakeReg = 1UL << 8,
    /// <summary>Create a UNIX socket file.</summary>
    MakeSock = 1UL << 9,
    /// <summary>Create a FIFO.</summary>
    MakeFifo = 1UL << 10,
    /// <summary>Create a block device.</summary>
    MakeBlock = 1UL << 11,
    /// <summary>Create a symbolic link.</summary>
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
