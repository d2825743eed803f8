using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// The seccomp filter a launch installs after Landlock: the classes the ruleset's emulation closes,
/// the exec gate that stops the child's first execve for the caller (and clone3, which could start a
/// child outside the run's cgroup), and, for a traced run, every call the observer records (which then
/// stops the gate's execve too). Every other call is allowed.
/// <para>
/// In a traced run, the calls the emulation denies are stopped for the observer instead of failed
/// here, or it could never see them (a filter's errno outranks its notification): it records each and
/// fails it with <see cref="EmulatedCalls.DeniedErrno"/>, and never lets one run. Should nothing answer (the
/// observer gone), the kernel fails it too (ENOSYS): every way, the call is denied.
/// </para>
/// </summary>
internal static unsafe class LaunchFilter
{
    /// <summary>The filter for one launch, laid out in <paramref name="block"/>; null when it would filter nothing.</summary>
    internal static Seccomp.SockFprog* For(NativeLaunchBlock block, LandlockEmulation emulated, bool execGate, bool observe)
    {
        if (SyscallTable.Current is not { } table) return null;
        var filter = new SeccompFilterBuilder(table);
        // clone3 can start a child in another cgroup (CLONE_INTO_CGROUP), judged by the uid's write
        // access to that cgroup.procs alone, never by Landlock: a run held by its cgroup cannot have
        // it. ENOSYS, as on a kernel without clone3: the C library then forks and makes threads
        // with clone, whose flags cannot name a cgroup. Through every ABI: a 32-bit clone3 can too.
        if (execGate) filter.OnEveryAbi(SyscallTable.Clone3, SeccompAction.Fail(Errno.ENOSYS));
        Emulate(filter, table, emulated, observe);
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

    private static void Emulate(SeccompFilterBuilder filter, SyscallTable table, LandlockEmulation emulated, bool observe)
    {
        if (emulated == LandlockEmulation.None) return;
        uint Denied(int syscall) => observe ? SeccompAction.Notify : SeccompAction.Fail(EmulatedCalls.DeniedErrno(table, syscall)!.Value);
        // Another ABI has other call numbers (and i386 has socketcall, whose arguments a filter
        // cannot read): a sandbox that emulates anything gets none of them.
        filter.OtherAbis(SeccompAction.KillProcess);
        if ((emulated & LandlockEmulation.UnixSockets) != 0)
        {
            filter.On(table.Socket, Denied(table.Socket), ArgTest.Equal(0, EmulatedCalls.AF_UNIX));
        }
        if ((emulated & LandlockEmulation.UdpSockets) != 0)
        {
            filter.On(table.Socket, Denied(table.Socket), ArgTest.Equal(0, EmulatedCalls.AF_INET), ArgTest.MaskedEqual(1, EmulatedCalls.SOCK_TYPE_MASK, EmulatedCalls.SOCK_DGRAM));
            filter.On(table.Socket, Denied(table.Socket), ArgTest.Equal(0, EmulatedCalls.AF_INET6), ArgTest.MaskedEqual(1, EmulatedCalls.SOCK_TYPE_MASK, EmulatedCalls.SOCK_DGRAM));
        }
        if ((emulated & LandlockEmulation.IoUring) != 0)
        {
            foreach (int call in new[] { table.IoUringSetup, table.IoUringEnter, table.IoUringRegister })
            {
                filter.On(call, Denied(call));
            }
        }
        if ((emulated & LandlockEmulation.MemfdExecute) != 0)
        {
            // A memfd is on no path a rule could name, so Landlock never checks executing one. A
            // sealed one can never be executed (no x bits, and F_SEAL_EXEC keeps them off), so it
            // may be made; any other is refused, as kernels before 6.3 cannot seal.
            filter.On(table.MemfdCreate, Denied(table.MemfdCreate), ArgTest.AnySet(1, SeccompSupport.MFD_EXEC));
            if (SeccompSupport.MemfdNoExecSeal)
            {
                filter.On(table.MemfdCreate, SeccompAction.Allow, ArgTest.AnySet(1, SeccompSupport.MFD_NOEXEC_SEAL));
            }
            filter.On(table.MemfdCreate, Denied(table.MemfdCreate));
        }
    }
}
