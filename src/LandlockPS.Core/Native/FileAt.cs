using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>File calls relative to an open directory, for trees LandlockPS manages by descriptor (cgroups).</summary>
internal static unsafe partial class FileAt
{
    internal const int O_WRONLY = 1;
    internal const int AT_REMOVEDIR = 0x200;

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OpenAt(int dirFd, string name, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MkdirAt(int dirFd, string name, uint mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int UnlinkAt(int dirFd, string name, int flags);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    internal static partial nint PRead(int fd, byte* buffer, nuint count, long offset);
}
