using System;
using System.Runtime.InteropServices;
using System.Text;

namespace LandlockPS.Core.Native;

/// <summary>
/// Reads what a traced thread passed to a system call it is stopped in: strings and structs from its
/// memory (process_vm_readv, which needs the same ptrace access the caller has over its own
/// children), the paths behind its working directory and descriptors (/proc), and the type of a
/// socket it holds (a copy taken with pidfd_getfd, closed at once).
/// </summary>
internal static unsafe partial class Tracee
{
    /// <summary>PATH_MAX: the kernel refuses a longer path argument (ENAMETOOLONG) before it looks anything up.</summary>
    internal const int PathMax = 4096;

    private const int PageSize = 4096;
    private const long SYS_pidfd_getfd = 438;
    // pidfd_open(PIDFD_THREAD) (Linux 6.9): a pidfd for a thread that is not its process's leader.
    private const int PIDFD_THREAD = 0x80;
    private const int SOL_SOCKET = 1;
    private const int SO_TYPE = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>
    /// The NUL-terminated string at <paramref name="address"/> in <paramref name="tid"/>'s memory,
    /// read a page at a time so that a string ending just before an unmapped page is still read;
    /// null when it cannot be read or is longer than PATH_MAX.
    /// </summary>
    internal static string? ReadString(int tid, ulong address, byte[] buffer)
    {
        if (address == 0) return null;
        int total = 0;
        fixed (byte* start = buffer)
        {
            while (total < PathMax)
            {
                int chunk = (int)Math.Min((ulong)(PageSize - (int)((address + (ulong)total) % PageSize)), (ulong)(PathMax - total));
                nint got = ReadMemory(tid, address + (ulong)total, start + total, chunk);
                if (got <= 0) return null;
                int end = new ReadOnlySpan<byte>(start + total, (int)got).IndexOf((byte)0);
                if (end >= 0) return Encoding.UTF8.GetString(start, total + end);
                total += (int)got;
            }
        }
        return null;
    }

    /// <summary>Reads as many bytes as <paramref name="into"/> holds at <paramref name="address"/>; false unless all could be read.</summary>
    internal static bool ReadBytes(int tid, ulong address, Span<byte> into)
    {
        if (address == 0) return false;
        fixed (byte* p = into) return ReadMemory(tid, address, p, into.Length) == into.Length;
    }

    /// <summary>The type (SOCK_STREAM, SOCK_DGRAM...) of the socket <paramref name="fd"/> of <paramref name="tid"/>; null when it cannot be told.</summary>
    internal static int? SocketType(int tid, int fd)
    {
        long pidfd = LibC.Syscall(ProcessApi.SYS_pidfd_open, tid, PIDFD_THREAD, 0, 0);
        if (pidfd < 0) pidfd = LibC.Syscall(ProcessApi.SYS_pidfd_open, tid, 0, 0, 0);
        if (pidfd < 0) return null;
        try
        {
            long copy = LibC.Syscall(SYS_pidfd_getfd, (nint)pidfd, fd, 0, 0);
            if (copy < 0) return null;
            try
            {
                int type = 0;
                int size = sizeof(int);
                return GetSockOpt((int)copy, SOL_SOCKET, SO_TYPE, &type, &size) == 0 ? type : null;
            }
            finally
            {
                LibC.Close((int)copy);
            }
        }
        finally
        {
            LibC.Close((int)pidfd);
        }
    }

    private static nint ReadMemory(int tid, ulong address, byte* into, int length)
    {
        var local = new IoVec { Base = into, Length = (nuint)length };
        var remote = new IoVec { Base = (void*)address, Length = (nuint)length };
        return ProcessVmReadv(tid, &local, 1, &remote, 1, 0);
    }

    [LibraryImport("libc", EntryPoint = "process_vm_readv", SetLastError = true)]
    private static partial nint ProcessVmReadv(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOpt(int fd, int level, int name, void* value, int* length);
}
