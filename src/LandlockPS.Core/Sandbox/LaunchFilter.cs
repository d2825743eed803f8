using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// The seccomp filter a launch installs after Landlock: the classes the ruleset's emulation closes,
/// the exec gate that stops the child's first execve for the caller, and, for a traced run, every call
/// the observer records (which then stops the gate's execve too). Every other call is allowed.
/// </summary>
internal static unsafe class LaunchFilter
{
    private const uint AF_UNIX = 1;
    private const uint AF_INET = 2;
    private const uint AF_INET6 = 10;
    private const uint SOCK_DGRAM = 2;
    // The socket type without SOCK_NONBLOCK and SOCK_CLOEXEC.
    private const uint SOCK_TYPE_MASK = 0xf;

    /// <summary>The filter for one launch, laid out in <paramref name="block"/>; null when it would filter nothing.</summary>
    internal static Seccomp.SockFprog* For(NativeLaunchBlock block, LandlockEmulation emulated, bool execGate, bool observe)
    {
        if (SyscallTable.Current is not { } table) return null;
        var filter = new SeccompFilterBuilder(table);
        Emulate(filter, table, emulated);
        // After the emulation's rules: a call it fails never runs, so there is nothing to record.
        if (observe)
        {
            foreach (int call in Observe.AccessObserver.ObservedNumbers) filter.On(call, SeccompAction.Notify);
        }
        else if (execGate)
        {
            // glibc's spawn child hands execve the very pointers posix_spawn was given
            // (args->exec (args->file, args->argv, args->envp) in sysdeps/unix/sysv/linux/spawni.c).
            filter.On(table.Execve, SeccompAction.Notify,
                [.. ArgTest.Equal64(0, (ulong)block.Path), .. ArgTest.Equal64(1, (ulong)block.Argv), .. ArgTest.Equal64(2, (ulong)block.Envp)]);
        }
        return filter.IsEmpty ? null : block.Program(filter.Build());
    }

    private static void Emulate(SeccompFilterBuilder filter, SyscallTable table, LandlockEmulation emulated)
    {
        if (emulated == LandlockEmulation.None) return;
        uint denied = SeccompAction.Fail(Errno.EACCES);
        // Another ABI has other call numbers (and i386 has socketcall, whose arguments a filter
        // cannot read): a sandbox that emulates anything gets none of them.
        filter.OtherAbis(SeccompAction.KillProcess);
        if ((emulated & LandlockEmulation.UnixSockets) != 0)
        {
            filter.On(table.Socket, denied, ArgTest.Equal(0, AF_UNIX));
        }
        if ((emulated & LandlockEmulation.UdpSockets) != 0)
        {
            filter.On(table.Socket, denied, ArgTest.Equal(0, AF_INET), ArgTest.MaskedEqual(1, SOCK_TYPE_MASK, SOCK_DGRAM));
            filter.On(table.Socket, denied, ArgTest.Equal(0, AF_INET6), ArgTest.MaskedEqual(1, SOCK_TYPE_MASK, SOCK_DGRAM));
        }
        if ((emulated & LandlockEmulation.IoUring) != 0)
        {
            // EPERM, as the kernel answers when io_uring is turned off: programs take it as "no io_uring".
            foreach (int call in new[] { table.IoUringSetup, table.IoUringEnter, table.IoUringRegister })
            {
                filter.On(call, SeccompAction.Fail(Errno.EPERM));
            }
        }
        if ((emulated & LandlockEmulation.MemfdExecute) != 0)
        {
            // A memfd is on no path a rule could name, so Landlock never checks executing one. A
            // sealed one can never be executed (no x bits, and F_SEAL_EXEC keeps them off), so it
            // may be made; any other is refused, as kernels before 6.3 cannot seal.
            filter.On(table.MemfdCreate, denied, ArgTest.AnySet(1, SeccompSupport.MFD_EXEC));
            if (SeccompSupport.MemfdNoExecSeal)
            {
                filter.On(table.MemfdCreate, SeccompAction.Allow, ArgTest.AnySet(1, SeccompSupport.MFD_NOEXEC_SEAL));
            }
            filter.On(table.MemfdCreate, denied);
        }
    }
}
