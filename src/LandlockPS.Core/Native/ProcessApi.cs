using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>libc calls for pipes, polling and supervising a child, used on ordinary threads.</summary>
internal static unsafe partial class ProcessApi
{
    private const string Lib = "libc";

    internal const int F_GETFL = 3;
    internal const int F_SETFL = 4;
    internal const int F_DUPFD_CLOEXEC = 1030;
    internal const int F_SETPIPE_SZ = 1031;
    internal const int EFD_NONBLOCK = 0x800;
    internal const int EFD_CLOEXEC = 0x80000;
    internal const short POLLIN = 0x1;
    internal const short POLLPRI = 0x2;
    internal const short POLLOUT = 0x4;
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int P_PID = 1;
    internal const int P_PIDFD = 3;
    internal const int WNOHANG = 1;
    internal const int WNOWAIT = 0x01000000;
    internal const long SYS_pidfd_send_signal = 424;
    /// <summary>pidfd_send_signal: signal the pidfd's process group (Linux 6.9).</summary>
    internal const uint PIDFD_SIGNAL_PROCESS_GROUP = 1u << 2;
    internal const int WEXITED = 4;
    internal const int SIGINT = 2;
    internal const int SIGKILL = 9;
    internal const int SIGTERM = 15;
    internal const int CLD_EXITED = 1;
    internal const long SYS_pidfd_open = 434;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>siginfo_t as waitid fills it for a child (x86_64 and arm64 layout).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    internal struct SigInfo
    {
        [FieldOffset(0)] public int Signo;
        [FieldOffset(8)] public int Code;
        [FieldOffset(16)] public int Pid;
        [FieldOffset(24)] public int Status;
    }

    [LibraryImport(Lib, EntryPoint = "pipe2", SetLastError = true)]
    internal static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initval, int flags);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "pread", SetLastError = true)]
    internal static partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    [LibraryImport(Lib, EntryPoint = "tgkill", SetLastError = true)]
    private static partial int TgKill(int tgid, int tid, int signal);

    [LibraryImport(Lib, EntryPoint = "waitid", SetLastError = true)]
    internal static partial int WaitId(int idType, int id, SigInfo* info, int options);

    [LibraryImport(Lib, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Access(string path, int mode);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    internal static partial uint GetEuid();

    internal const int X_OK = 1;
    internal const int W_OK = 2;
    internal const int R_OK = 4;

    /// <summary>
    /// True while a process has this pid in this process's PID namespace (a zombie too). Asks the
    /// kernel, not /proc: a /proc mounted for another namespace lists other processes under these pids.
    /// </summary>
    internal static bool Exists(int pid) => pid > 0 && (Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != Errno.ESRCH);

    /// <summary>True while this process has a thread with this id (one that has exited is gone once the kernel has unlisted it).</summary>
    internal static bool ThreadExists(int tid) => tid > 0 && (TgKill(System.Environment.ProcessId, tid, 0) == 0 || Marshal.GetLastPInvokeError() != Errno.ESRCH);

    /// <summary>
    /// True while a child of this process runs: not yet exited, and not reaped (a reaped pid may be
    /// another process's already). Reaps nothing.
    /// </summary>
    internal static bool ChildIsRunning(int pid)
    {
        SigInfo exited = default;
        return WaitId(P_PID, pid, &exited, WEXITED | WNOHANG | WNOWAIT) == 0 && exited.Pid == 0;
    }
}
