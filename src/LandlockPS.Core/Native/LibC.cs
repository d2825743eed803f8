using System;
using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>The libc entry points the module needs. Every call sets errno for <see cref="Marshal.GetLastPInvokeError"/>.</summary>
internal static partial class LibC
{
    private const string Lib = "libc";

    // Landlock's syscall numbers are the same on every architecture Linux supports (bar alpha).
    internal const long SYS_landlock_create_ruleset = 444;
    internal const long SYS_landlock_add_rule = 445;
    internal const long SYS_landlock_restrict_self = 446;

    internal const int O_RDONLY = 0;
    internal const int O_NOCTTY = 0x100;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int O_CLOEXEC = 0x80000;
    internal const int O_PATH = 0x200000;

    internal const int PR_SET_NO_NEW_PRIVS = 38;

    internal const int AT_EMPTY_PATH = 0x1000;
    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const uint STATX_TYPE = 0x1;
    internal const uint STATX_MODE = 0x2;
    internal const uint STATX_NLINK = 0x4;
    internal const uint STATX_UID = 0x8;
    internal const uint STATX_INO = 0x100;
    internal const uint STATX_SIZE = 0x200;
    internal const uint STATX_BTIME = 0x800;
    internal const uint STATX_MNT_ID = 0x1000;
    internal const ushort S_IFMT = 0xF000;
    internal const ushort S_IFSOCK = 0xC000;
    internal const ushort S_IFIFO = 0x1000;
    internal const ushort S_IFBLK = 0x6000;
    internal const ushort S_IFCHR = 0x2000;
    internal const ushort S_IFDIR = 0x4000;
    internal const ushort S_IFREG = 0x8000;

    // syscall(2) is variadic in C; on x86_64 and arm64 Linux, integer varargs travel in the same
    // registers as fixed arguments, so a fixed declaration is ABI-correct. Always pass every
    // argument the call takes: a missing one is whatever the register holds (landlock_add_rule
    // rejects non-zero flags with EINVAL).
    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long Syscall(long number, nint arg1, nint arg2, nint arg3, nint arg4);


    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, StatxBuffer* buffer);

    /// <summary>realpath(3) with a null buffer: the result is malloc'd; release it with <see cref="Free"/>.</summary>
    [LibraryImport(Lib, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint RealPath(string path, nint resolved);

    /// <summary>readlink(2): the target of a symbolic link, not NUL-terminated; EINVAL when the path is no link.</summary>
    [LibraryImport(Lib, EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial nint ReadLink(string path, byte* buffer, nint size);

    [LibraryImport(Lib, EntryPoint = "free")]
    internal static partial void Free(nint pointer);

    /// <summary>struct statx: the layout is the same on every architecture; only owner, type, link count, inode, size, birth time, device and mount are read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct StatxBuffer
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(16)] public uint Links;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(80)] public long BirthSeconds;
        [FieldOffset(88)] public uint BirthNanoseconds;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
        [FieldOffset(144)] public ulong MountId;

        public readonly bool IsDirectory => (Mode & S_IFMT) == S_IFDIR;

        public readonly bool IsRegularFile => (Mode & S_IFMT) == S_IFREG;

        public readonly bool IsDevice => (Mode & S_IFMT) is S_IFCHR or S_IFBLK;

        public readonly bool IsSocket => (Mode & S_IFMT) == S_IFSOCK;

        public readonly bool IsFifo => (Mode & S_IFMT) == S_IFIFO;

        /// <summary>When the inode was made; null where the file system does not record it.</summary>
        public readonly TimeSpan? BirthTime => (Mask & STATX_BTIME) != 0 ? TimeSpan.FromSeconds(BirthSeconds) + TimeSpan.FromTicks(BirthNanoseconds / 100) : null;

        /// <summary>The inode, across file systems: the same inode, the same identity.</summary>
        public readonly (uint Major, uint Minor, ulong Inode) Identity => (DevMajor, DevMinor, Inode);
    }
}
