using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// The calls LandlockPS's emulation closes (<see cref="LandlockEmulation"/>): what it fails them with,
/// which class a stopped one belongs to, and the rights it stands in for. The launch filter and the
/// observer of a traced run agree through this one place.
/// </summary>
internal static class EmulatedCalls
{
    internal const uint AF_UNIX = 1;
    internal const uint AF_INET = 2;
    internal const uint AF_INET6 = 10;
    internal const uint SOCK_DGRAM = 2;
    /// <summary>The socket type without SOCK_NONBLOCK and SOCK_CLOEXEC.</summary>
    internal const uint SOCK_TYPE_MASK = 0xf;

    /// <summary>
    /// The errno the emulation fails <paramref name="syscall"/> with, when it is one of the calls it
    /// closes; null otherwise. EPERM for io_uring, as the kernel answers when io_uring is turned off:
    /// programs take it as "no io_uring".
    /// </summary>
    internal static int? DeniedErrno(SyscallTable table, int syscall) =>
        syscall == table.Socket || syscall == table.MemfdCreate ? Errno.EACCES
        : IsIoUring(table, syscall) ? Errno.EPERM
        : null;

    /// <summary>The class a call the emulation stopped belongs to, told by its number and its first argument (a socket's domain).</summary>
    internal static LandlockEmulation ClassOf(SyscallTable table, int syscall, ulong firstArgument) =>
        syscall == table.Socket ? ((uint)firstArgument == AF_UNIX ? LandlockEmulation.UnixSockets : LandlockEmulation.UdpSockets)
        : syscall == table.MemfdCreate ? LandlockEmulation.MemfdExecute
        : IsIoUring(table, syscall) ? LandlockEmulation.IoUring
        : LandlockEmulation.None;

    /// <summary>The call's name, as a traced run reports it.</summary>
    internal static string Name(SyscallTable table, int syscall) =>
        syscall == table.Socket ? "socket"
        : syscall == table.MemfdCreate ? "memfd_create"
        : syscall == table.IoUringSetup ? "io_uring_setup"
        : syscall == table.IoUringEnter ? "io_uring_enter"
        : "io_uring_register";

    /// <summary>The file-system rights one class stands in for (ResolveUnix, Execute); None for the others.</summary>
    internal static LandlockAccessFs AccessFs(LandlockEmulation emulation) => emulation switch
    {
        LandlockEmulation.UnixSockets => LandlockAccessFs.ResolveUnix,
        LandlockEmulation.MemfdExecute => LandlockAccessFs.Execute,
        _ => LandlockAccessFs.None,
    };

    /// <summary>The network rights one class stands in for (BindUdp, ConnectSendUdp); None for the others.</summary>
    internal static LandlockAccessNet AccessNet(LandlockEmulation emulation) =>
        emulation == LandlockEmulation.UdpSockets ? LandlockAccessNet.BindUdp | LandlockAccessNet.ConnectSendUdp : LandlockAccessNet.None;

    /// <summary>Why LandlockPS denied a call of one class, in words that name no tool.</summary>
    internal static string Reason(LandlockEmulation emulation) => emulation switch
    {
        LandlockEmulation.UnixSockets =>
            $"LandlockPS closes UNIX sockets on this kernel: the ruleset handles ResolveUnix, which this kernel's Landlock cannot enforce (it needs {AbiFeatures.FirstProviding(LandlockAccessFs.ResolveUnix)}), and grants it nowhere.",
        LandlockEmulation.UdpSockets =>
            $"LandlockPS closes UDP sockets on this kernel: the ruleset handles BindUdp and ConnectSendUdp, which this kernel's Landlock cannot enforce (they need {AbiFeatures.FirstProviding(LandlockAccessNet.ConnectSendUdp)}), and grants neither on any port.",
        LandlockEmulation.MemfdExecute =>
            "The ruleset handles Execute, which Landlock never checks on memfds: LandlockPS lets the sandbox make only memfds sealed against execution (MFD_NOEXEC_SEAL).",
        _ => "LandlockPS closes io_uring while it closes UNIX or UDP sockets on this kernel: io_uring could make sockets without socket(2).",
    };

    private static bool IsIoUring(SyscallTable table, int syscall) =>
        syscall == table.IoUringSetup || syscall == table.IoUringEnter || syscall == table.IoUringRegister;
}
