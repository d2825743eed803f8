using System;
using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;
using LandlockPS.Core.Observe;
using LandlockPS.Core.Sandbox;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// The observer: its filter (an untraced launch keeps exactly the filter it had), that it only records
/// (the kernel still denies what Landlock denies), and how its events are judged and marked.
/// </summary>
public unsafe class ObserverTests
{
    private static Seccomp.SockFilter[] Program(Seccomp.SockFprog* program) =>
        new ReadOnlySpan<Seccomp.SockFilter>(program->Filter, program->Length).ToArray();

    private static NativeLaunchBlock Block() => new(new SandboxStartInfo("/bin/true"), 0, 1, 2);

    [Fact]
    public void AnUntracedLaunchKeepsTheFilterItHad()
    {
        using NativeLaunchBlock block = Block();
        Assert.True(LaunchFilter.For(block, LandlockEmulation.None, execGate: false, observe: false) is null, "no gate, no emulation: no filter at all");
        Seccomp.SockFilter[] gate = Program(LaunchFilter.For(block, LandlockEmulation.None, execGate: true, observe: false));
        // Only the gate's execve is stopped, and only with the launch's own pointers.
        uint arch = SyscallTable.Current!.AuditArch;
        int execve = SyscallTable.Current.Execve;
        Assert.Equal(Seccomp.RetUserNotif, SeccompFilterTests.Run(gate, execve, [(ulong)block.Path, (ulong)block.Argv, (ulong)block.Envp], arch));
        Assert.Equal(Seccomp.RetAllow, SeccompFilterTests.Run(gate, execve, [1, 2, 3], arch));
        foreach (int call in AccessObserver.ObservedNumbers.Where(n => n != execve))
        {
            Assert.Equal(Seccomp.RetAllow, SeccompFilterTests.Run(gate, call, [0, 0, 0], arch));
        }
        // A run held by its cgroup has no clone3 (it could start a child in another); one without a gate keeps it.
        Assert.Equal(SeccompAction.Fail(Errno.ENOSYS), SeccompFilterTests.Run(gate, SyscallTable.Clone3, [0, 0, 0], arch));
        Seccomp.SockFilter[] ungated = Program(LaunchFilter.For(block, LandlockEmulation.IoUring, execGate: false, observe: false));
        Assert.Equal(Seccomp.RetAllow, SeccompFilterTests.Run(ungated, SyscallTable.Clone3, [0, 0, 0], arch));
    }

    [Fact]
    public void ATracedLaunchStopsEveryObservedCallAndNothingElse()
    {
        using NativeLaunchBlock block = Block();
        Seccomp.SockFilter[] traced = Program(LaunchFilter.For(block, LandlockEmulation.None, execGate: true, observe: true));
        int[] observed = AccessObserver.ObservedNumbers.ToArray();
        Assert.True(observed.Length >= 15);
        foreach (int call in observed)
        {
            Assert.Equal(Seccomp.RetUserNotif, SeccompFilterTests.Run(traced, call, [1, 2, 3], SyscallTable.Current!.AuditArch));
        }
        foreach (int call in Enumerable.Range(0, 450).Except(observed).Except([SyscallTable.Clone3]))
        {
            Assert.Equal(Seccomp.RetAllow, SeccompFilterTests.Run(traced, call, [1, 2, 3], SyscallTable.Current!.AuditArch));
        }
        // Held by its cgroup, a traced run has no clone3 either: failed at once, never the observer's to let run.
        Assert.Equal(SeccompAction.Fail(Errno.ENOSYS), SeccompFilterTests.Run(traced, SyscallTable.Clone3, [1, 2, 3], SyscallTable.Current!.AuditArch));
    }

    [Fact]
    public void ATracedLaunchStopsWhatTheEmulationClosesForTheObserver_AnUntracedOneFailsIt()
    {
        using NativeLaunchBlock block = Block();
        SyscallTable table = SyscallTable.Current!;
        const LandlockEmulation all = LandlockEmulation.UnixSockets | LandlockEmulation.UdpSockets | LandlockEmulation.IoUring | LandlockEmulation.MemfdExecute;
        Seccomp.SockFilter[] untraced = Program(LaunchFilter.For(block, all, execGate: false, observe: false));
        Seccomp.SockFilter[] traced = Program(LaunchFilter.For(block, all, execGate: false, observe: true));
        (int Call, ulong[] Args, LandlockEmulation Class)[] closed =
        [
            (table.Socket, [EmulatedCalls.AF_UNIX, 1, 0], LandlockEmulation.UnixSockets),
            (table.Socket, [EmulatedCalls.AF_INET, EmulatedCalls.SOCK_DGRAM | 0x80000, 0], LandlockEmulation.UdpSockets),
            (table.Socket, [EmulatedCalls.AF_INET6, EmulatedCalls.SOCK_DGRAM, 0], LandlockEmulation.UdpSockets),
            (table.IoUringSetup, [8, 0, 0], LandlockEmulation.IoUring),
            (table.MemfdCreate, [0, 0, 0], LandlockEmulation.MemfdExecute),
        ];
        foreach ((int call, ulong[] args, LandlockEmulation expected) in closed)
        {
            int errno = EmulatedCalls.DeniedErrno(table, call)!.Value;
            Assert.Equal(Seccomp.RetErrno | (uint)errno, SeccompFilterTests.Run(untraced, call, args, table.AuditArch));
            Assert.Equal(Seccomp.RetUserNotif, SeccompFilterTests.Run(traced, call, args, table.AuditArch));
            Assert.Equal(expected, EmulatedCalls.ClassOf(table, call, args[0]));
        }
        // What the emulation leaves open stays open, traced or not: a TCP socket.
        Assert.Equal(Seccomp.RetAllow, SeccompFilterTests.Run(traced, table.Socket, [EmulatedCalls.AF_INET, 1, 0], table.AuditArch));
        Assert.Null(EmulatedCalls.DeniedErrno(table, table.Execve));
    }

    [Fact]
    public void TheObserverOnlyRecords_TheKernelStillDeniesWhatLandlockDenies()
    {
        using var tree = new TempTree();
        string secret = tree.File("secret.txt");
        string open = tree.File("open.txt", "visible\n");
        LandlockRuleset ruleset = SandboxHarness.SystemRuleset(LandlockAbi.V4);
        ruleset.AddPathRule(open, LandlockAccessFs.ReadFile);
        using var observer = new AccessObserver();
        SandboxHarness.Result result = SandboxHarness.Run(ruleset, new SandboxStartInfo("/bin/sh")
        {
            Arguments = ["-c", $"cat '{open}'; cat '{secret}'"],
            Environment = SandboxHarness.Env,
            Observer = observer,
        });
        Assert.Equal("visible\n", result.Stdout);
        Assert.Contains("Permission denied", result.Stderr);
        Assert.True(observer.WaitForEnd(5000));
        IReadOnlyList<LandlockAccessEvent> events = observer.Events();
        Assert.Contains(events, e => e.Path == secret && e.Access == LandlockAccessFs.ReadFile && e.Operation == "open");
        Assert.Contains(events, e => e.Path == open && e.Access == LandlockAccessFs.ReadFile);
        IReadOnlyList<LandlockAccessEvent> denials = AccessVerdicts.Denials(events, ruleset);
        Assert.Equal([secret], denials.Select(d => d.Path));
        Assert.Equal([new LandlockAccessFix(LandlockAccessFs.ReadFile, secret)], denials[0].Fixes!);
    }

    [Fact]
    public void APortIsJudgedByTheNetRulesTheRulesetHandles()
    {
        var ruleset = new LandlockRuleset(LandlockAbi.V4);
        ruleset.AddNetRule(443, LandlockAccessNet.ConnectTcp);
        LandlockAccessEvent Connect(int port) => new() { Operation = "connect", NetAccess = LandlockAccessNet.ConnectTcp, Port = port };
        LandlockSupport support = KernelFacts.Support;
        IReadOnlyList<LandlockAccessEvent> judged = AccessVerdicts.Judge([Connect(443), Connect(80)], ruleset, support);
        Assert.True(judged[0].Allowed);
        Assert.False(judged[1].Allowed);
        Assert.Equal("Add-LandlockNetRule -Ruleset $ruleset -Port 80 -Access ConnectTcp", AccessFixText.WithSuggestions(judged)[1].Suggestion);
        var fsOnly = new LandlockRuleset(LandlockAbi.V4, handledAccessNet: LandlockAccessNet.None);
        Assert.True(AccessVerdicts.Judge([Connect(80)], fsOnly, support)[0].Allowed);
    }

    [Fact]
    public void AnAccessIsImplicitOnlyWhenAnAddedRuleCoversBothItsPathAndItsRights()
    {
        LandlockPathRule home = new("/tmp/home-x", LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg);
        LandlockAccessEvent At(string path, LandlockAccessFs access, string? target = null) => new() { Operation = "open", Path = path, Access = access, LinkTarget = target };
        IReadOnlyList<LandlockAccessEvent> marked = ImplicitAccesses.Mark(
        [
            At("/tmp/home-x/.cache/f", LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg),
            At("/tmp/home-x", LandlockAccessFs.ReadFile),
            At("/tmp/home-xy/f", LandlockAccessFs.ReadFile),
            At("/tmp/home-x/f", LandlockAccessFs.Execute),
            At("/elsewhere/link", LandlockAccessFs.ReadFile, "/tmp/home-x/f"),
            new LandlockAccessEvent { Operation = "connect", NetAccess = LandlockAccessNet.ConnectTcp, Port = 80 },
        ], [home]);
        Assert.Equal([true, true, false, false, true, false], marked.Select(e => e.Implicit));
    }
}
