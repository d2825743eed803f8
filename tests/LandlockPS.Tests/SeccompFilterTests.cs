using System;
using System.Linq;
using LandlockPS.Core.Native;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// The filter builder's programs, run by a small classic-BPF interpreter over made-up calls: every
/// jump must land where the rule means. (What the kernel does with them is tested in EmulationTests.)
/// </summary>
public class SeccompFilterTests
{
    private static readonly SyscallTable X64 = new(0xC000003E, HasX32: true, Seccomp: 317, Socket: 41, Execve: 59, MemfdCreate: 319, 425, 426, 427);
    private static readonly uint Denied = SeccompAction.Fail(Errno.EACCES);

    // The instructions the builder emits: load word, jeq/jge/jset, and, ret.
    internal static uint Run(Seccomp.SockFilter[] program, int nr, ulong[] args, uint arch = 0xC000003E)
    {
        byte[] data = new byte[64];
        BitConverter.TryWriteBytes(data.AsSpan(0), nr);
        BitConverter.TryWriteBytes(data.AsSpan(4), arch);
        for (int i = 0; i < args.Length; i++) BitConverter.TryWriteBytes(data.AsSpan(16 + 8 * i), args[i]);
        uint a = 0;
        for (int pc = 0; pc < program.Length; pc++)
        {
            Seccomp.SockFilter op = program[pc];
            switch (op.Code)
            {
                case 0x20: a = BitConverter.ToUInt32(data, (int)op.K); break;
                case 0x54: a &= op.K; break;
                case 0x06: return op.K;
                case 0x15: pc += a == op.K ? op.JumpTrue : op.JumpFalse; break;
                case 0x35: pc += a >= op.K ? op.JumpTrue : op.JumpFalse; break;
                case 0x45: pc += (a & op.K) != 0 ? op.JumpTrue : op.JumpFalse; break;
                default: throw new InvalidOperationException($"unexpected opcode {op.Code:x}");
            }
        }
        throw new InvalidOperationException("the program ran off its end");
    }

    private static Seccomp.SockFilter[] SocketFilter() =>
        new SeccompFilterBuilder(X64)
            .OtherAbis(SeccompAction.KillProcess)
            .On(X64.Socket, Denied, ArgTest.Equal(0, 1))
            .On(X64.Socket, Denied, ArgTest.Equal(0, 2), ArgTest.MaskedEqual(1, 0xf, 2))
            .On(X64.MemfdCreate, Denied, ArgTest.AnySet(1, 0x10))
            .On(X64.MemfdCreate, SeccompAction.Allow, ArgTest.AnySet(1, 0x8))
            .On(X64.MemfdCreate, Denied)
            .On(X64.IoUringSetup, SeccompAction.Fail(Errno.EPERM))
            .Build();

    [Fact]
    public void EachRuleMatchesExactlyTheCallsItNames()
    {
        Seccomp.SockFilter[] program = SocketFilter();
        Assert.Equal(Denied, Run(program, 41, [1, 1]));                 // socket(AF_UNIX, SOCK_STREAM)
        Assert.Equal(Denied, Run(program, 41, [2, 2 | 0x80000]));       // socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC)
        Assert.Equal(SeccompAction.Allow, Run(program, 41, [2, 1]));    // TCP
        Assert.Equal(SeccompAction.Allow, Run(program, 41, [10, 2]));   // AF_INET6 has no rule here
        Assert.Equal(SeccompAction.Allow, Run(program, 53, [1, 1]));    // socketpair(AF_UNIX)
        Assert.Equal(SeccompAction.Allow, Run(program, 0, []));         // read
        Assert.Equal(SeccompAction.Fail(Errno.EPERM), Run(program, 425, []));
    }

    [Fact]
    public void RulesOfOneCallAreTriedInOrder()
    {
        Seccomp.SockFilter[] program = SocketFilter();
        Assert.Equal(Denied, Run(program, 319, [0, 0x10 | 0x8]));        // MFD_EXEC wins over the seal
        Assert.Equal(SeccompAction.Allow, Run(program, 319, [0, 0x8 | 1]));
        Assert.Equal(Denied, Run(program, 319, [0, 1]));                 // unsealed: the catch-all
    }

    [Fact]
    public void AnIntArgumentIsJudgedOnItsLowHalfAsTheKernelReadsIt()
    {
        // Garbage in the high half of an int argument does not change what the kernel does, so it
        // must not change the verdict either.
        Assert.Equal(Denied, Run(SocketFilter(), 41, [0xFFFF_FFFF_0000_0001, 1]));
    }

    [Fact]
    public void OtherAbisAndX32GetTheirOwnAction()
    {
        Seccomp.SockFilter[] program = SocketFilter();
        Assert.Equal(SeccompAction.KillProcess, Run(program, 102, [1], arch: 0x40000003));   // i386 socketcall
        Assert.Equal(SeccompAction.KillProcess, Run(program, 0x40000000 | 41, [1, 1]));       // x32 socket
        Assert.Equal(SeccompAction.Allow, Run(new SeccompFilterBuilder(X64).On(59, SeccompAction.Notify).Build(), 11, [], arch: 0x40000003));
    }

    [Fact]
    public void ACallJudgedInEveryAbiIsJudgedThroughEachWhereTheyAreAllowed()
    {
        uint enosys = SeccompAction.Fail(Errno.ENOSYS);
        Seccomp.SockFilter[] program = new SeccompFilterBuilder(X64)
            .OnEveryAbi(SyscallTable.Clone3, enosys)
            .On(SyscallTable.Clone3, SeccompAction.Notify)
            .On(X64.Socket, Denied, ArgTest.Equal(0, 1))
            .Build();
        Assert.Equal(enosys, Run(program, 435, []));                                   // native, before a later rule
        Assert.Equal(enosys, Run(program, 435, [], arch: 0x40000003));                 // i386
        Assert.Equal(enosys, Run(program, 0x40000000 | 435, []));                      // x32
        Assert.Equal(SeccompAction.Allow, Run(program, 120, [], arch: 0x40000003));    // i386 clone: flags too narrow for a cgroup
        Assert.Equal(SeccompAction.Allow, Run(program, 0x40000000 | 56, []));          // x32 clone
        Assert.Equal(SeccompAction.Allow, Run(program, 56, []));                       // clone
        Assert.Equal(Denied, Run(program, 41, [1, 1]));                                // the other rules stay
        // Where other ABIs are refused already, they stay refused whole.
        Seccomp.SockFilter[] strict = new SeccompFilterBuilder(X64).OtherAbis(SeccompAction.KillProcess).OnEveryAbi(SyscallTable.Clone3, enosys).Build();
        Assert.Equal(SeccompAction.KillProcess, Run(strict, 435, [], arch: 0x40000003));
        Assert.Equal(SeccompAction.KillProcess, Run(strict, 0x40000000 | 435, []));
        Assert.Equal(enosys, Run(strict, 435, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeccompFilterBuilder(X64).OnEveryAbi(X64.Socket, enosys));
    }

    [Fact]
    public void A64BitArgumentMustMatchInBothHalves()
    {
        const ulong path = 0x0000_7F12_3456_7890, argv = 0x0000_7F12_0000_1000, envp = 0x0000_7F12_0000_2000;
        Seccomp.SockFilter[] program = new SeccompFilterBuilder(X64)
            .On(59, SeccompAction.Notify, [.. ArgTest.Equal64(0, path), .. ArgTest.Equal64(1, argv), .. ArgTest.Equal64(2, envp)])
            .Build();
        Assert.Equal(SeccompAction.Notify, Run(program, 59, [path, argv, envp]));
        Assert.Equal(SeccompAction.Allow, Run(program, 59, [path + (1UL << 32), argv, envp]));
        Assert.Equal(SeccompAction.Allow, Run(program, 59, [path, argv, envp + 8]));
        Assert.Equal(SeccompAction.Allow, Run(program, 322, [path, argv, envp]));
    }

    [Fact]
    public void AFilterWithoutRulesIsEmptyAndAllowsEverything()
    {
        var builder = new SeccompFilterBuilder(X64);
        Assert.True(builder.IsEmpty);
        Assert.Equal(SeccompAction.Allow, Run(builder.Build(), 41, [1, 1]));
        Assert.All(Enumerable.Range(0, 400), nr => Assert.Equal(SeccompAction.Allow, Run(builder.Build(), nr, [])));
    }
}
