using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>
/// seccomp(2) as the launch pad uses it: classic BPF filters over struct seccomp_data, and user
/// notifications read from a listener descriptor (include/uapi/linux/seccomp.h, linux/filter.h).
/// </summary>
internal static unsafe partial class Seccomp
{
    internal const uint SECCOMP_SET_MODE_FILTER = 1;
    internal const uint SECCOMP_GET_ACTION_AVAIL = 2;
    /// <summary>The filter's listener descriptor is returned by the call (Linux 5.0).</summary>
    internal const uint SECCOMP_FILTER_FLAG_NEW_LISTENER = 1u << 3;
    internal const int PR_GET_SECCOMP = 21;

    internal const uint RetKillProcess = 0x80000000;
    internal const uint RetUserNotif = 0x7fc00000;
    internal const uint RetErrno = 0x00050000;
    internal const uint RetAllow = 0x7fff0000;

    /// <summary>Answer to a notification: run the call as if the filter had allowed it (Linux 5.5).</summary>
    internal const uint SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;

    // _IOWR('!', 0, struct seccomp_notif) and _IOWR('!', 1, struct seccomp_notif_resp).
    private const nuint SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100;
    private const nuint SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101;
    // _IOW('!', 2, __u64).
    private const nuint SECCOMP_IOCTL_NOTIF_ID_VALID = 0x40082102;
    // _IOW('!', 4, __u64): its argument is the flags themselves, not a pointer to them.
    private const nuint SECCOMP_IOCTL_NOTIF_SET_FLAGS = 0x40082104;
    private const nuint SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP = 1;

    // struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6].
    internal const uint DataNr = 0;
    internal const uint DataArch = 4;
    internal const uint DataArgs = 16;

    /// <summary>struct sock_filter: one classic BPF instruction.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SockFilter
    {
        public ushort Code;
        public byte JumpTrue;
        public byte JumpFalse;
        public uint K;
    }

    /// <summary>struct sock_fprog: the program as seccomp(2) takes it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }

    /// <summary>struct seccomp_notif: a call a filter stopped, as the listener reads it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Notification
    {
        public ulong Id;
        public uint Pid;
        public uint Flags;
        public int Nr;
        public uint Arch;
        public ulong InstructionPointer;
        public fixed ulong Args[6];
    }

    /// <summary>struct seccomp_notif_resp.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Response
    {
        public ulong Id;
        public long Value;
        public int Error;
        public uint Flags;
    }

    /// <summary>Reads the next notification; false when its caller is already gone (ENOENT) or the read failed.</summary>
    internal static bool TryReceive(SafeDescriptorHandle listener, out Notification notification)
    {
        notification = default; // the kernel insists on a zeroed struct
        fixed (Notification* n = &notification)
        {
            return Ioctl(listener.Fd, SECCOMP_IOCTL_NOTIF_RECV, n) == 0;
        }
    }

    /// <summary>Lets the stopped call run as if unfiltered. A caller that died meanwhile needs no answer.</summary>
    internal static void Continue(SafeDescriptorHandle listener, ulong id) =>
        Send(listener, new Response { Id = id, Flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE });

    /// <summary>
    /// True while the call <paramref name="id"/> still waits for its answer: its thread is alive and
    /// its pid names it still, so what was read from /proc/pid before this check was that thread's.
    /// </summary>
    internal static bool IsPending(SafeDescriptorHandle listener, ulong id) =>
        Ioctl(listener.Fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;

    /// <summary>
    /// Asks the kernel to switch straight between a stopped caller and the thread serving the
    /// listener, on one CPU, rather than wake each other as unrelated tasks (Linux 6.6): a call and
    /// its answer then cost a context switch each way, not two scheduler wakeups. Best effort: an
    /// older kernel refuses it, and notifications work as before.
    /// </summary>
    internal static void WakeSynchronously(SafeDescriptorHandle listener) =>
        Ioctl(listener.Fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, (void*)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);

    /// <summary>Fails the stopped call with <paramref name="errno"/>.</summary>
    internal static void Deny(SafeDescriptorHandle listener, ulong id, int errno) =>
        Send(listener, new Response { Id = id, Error = -errno });

    private static void Send(SafeDescriptorHandle listener, Response response) =>
        Ioctl(listener.Fd, SECCOMP_IOCTL_NOTIF_SEND, &response);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
