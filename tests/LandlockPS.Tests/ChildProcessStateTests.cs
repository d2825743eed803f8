using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;
using Xunit;
using static LandlockPS.Tests.SandboxHarness;

namespace LandlockPS.Tests;

/// <summary>What the child starts with: descriptors, session, signals, capabilities.</summary>
public partial class ChildProcessStateTests
{
    [LibraryImport("libc", EntryPoint = "dup")]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    private static LandlockRuleset WithProcAndDev()
    {
        LandlockRuleset rs = SystemRuleset();
        rs.AddPathRule("/proc", LandlockAccessFs.ReadOnly);
        rs.AddPathRule("/dev", LandlockAccessFs.ReadWrite);
        return rs;
    }

    private static string StatusField(string status, string name) =>
        status.Split('\n').First(l => l.StartsWith(name + ":")).Split(':', 2)[1].Trim();

    [Fact]
    public void AnInheritableDescriptorOfTheParentDoesNotReachTheChild()
    {
        // dup() makes a descriptor without close-on-exec: only closefrom(3) keeps it from the child.
        using var file = File.OpenRead("/etc/hostname");
        int leaked = Dup((int)file.SafeFileHandle.DangerousGetHandle());
        try
        {
            Assert.True(leaked > 2);
            var r = Sh(WithProcAndDev(), $"for fd in 0 1 2 {leaked}; do if [ -e /proc/$$/fd/$fd ]; then echo $fd:open; else echo $fd:closed; fi; done");
            Assert.Equal($"0:open\n1:open\n2:open\n{leaked}:closed\n", r.Stdout);
        }
        finally
        {
            Close(leaked);
        }
    }

    [Fact]
    public void TheChildHoldsOnlyStdio()
    {
        var r = Run(WithProcAndDev(), "/usr/bin/perl", "-e", "opendir(my $d, '/proc/self/fd'); my $own = fileno($d); print join(',', sort grep { /^\\d+$/ && $_ != $own } readdir($d)), qq(\\n)");
        Assert.Equal("0,1,2\n", r.Stdout);
    }

    [Fact]
    public void TheChildLeadsItsOwnSessionWithoutATerminal()
    {
        var r = Sh(WithProcAndDev(), "read -r pid comm state ppid pgrp session rest < /proc/self/stat; echo $session; exec 3>/dev/tty && echo tty-open");
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(r.ExitCode == 0 ? 2 : 1, lines.Length);
        Assert.DoesNotContain("tty-open", r.Stdout);
        Assert.NotEqual(0, r.ExitCode);
        // The twin: another device under the same rule opens fine.
        Assert.Equal("ok\n", Sh(WithProcAndDev(), "exec 3>/dev/null && echo ok").Stdout);
    }

    [Fact]
    public void TheChildIsASessionLeader()
    {
        // "sh -c" execs into the child itself, so $$ is the spawned process.
        var r = Sh(WithProcAndDev(), "read -r pid comm state ppid pgrp session rest < /proc/$$/stat; echo $pid $pgrp $session");
        string[] ids = r.Stdout.Trim().Split(' ');
        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(ids[0], ids[2]);
    }

    [Fact]
    public void TheChildHasDefaultSignalsAndAnEmptyMask()
    {
        string parent = File.ReadAllText("/proc/self/status");
        // .NET ignores SIGPIPE; the child must not inherit that.
        Assert.NotEqual("0000000000000000", StatusField(parent, "SigIgn"));
        var r = Run(WithProcAndDev(), "/bin/cat", "/proc/self/status");
        Assert.Equal("0000000000000000", StatusField(r.Stdout, "SigIgn"));
        Assert.Equal("0000000000000000", StatusField(r.Stdout, "SigBlk"));
        Assert.Equal("1", StatusField(r.Stdout, "NoNewPrivs"));
    }

    [Fact]
    public void TheChildHoldsNoCapabilityUnlessAskedToKeepThem()
    {
        string parent = File.ReadAllText("/proc/self/status");
        var r = Run(WithProcAndDev(), "/bin/cat", "/proc/self/status");
        foreach (string field in new[] { "CapInh", "CapPrm", "CapEff", "CapAmb" })
        {
            Assert.Equal("0000000000000000", StatusField(r.Stdout, field));
        }
        if (GetEuid() == 0)
        {
            Assert.Equal("0000000000000000", StatusField(r.Stdout, "CapBnd"));
            var kept = Run(WithProcAndDev(), new SandboxStartInfo("/bin/cat") { Arguments = ["/proc/self/status"], Environment = Env, KeepCapabilities = true });
            Assert.Equal(StatusField(parent, "CapBnd"), StatusField(kept.Stdout, "CapBnd"));
            Assert.NotEqual("0000000000000000", StatusField(kept.Stdout, "CapEff"));
        }
    }

    [Fact]
    public void WithoutCapabilitiesRootCannotOpenARawSocket()
    {
        const string raw = "socket(my $s, 2, 3, 1) or die qq(raw: $!\\n); print qq(raw ok\\n)";
        var denied = Run(SystemRuleset(), "/usr/bin/perl", "-e", raw);
        Assert.Contains("Operation not permitted", denied.Stderr);
        if (GetEuid() == 0)
        {
            var kept = Run(SystemRuleset(), new SandboxStartInfo("/usr/bin/perl") { Arguments = ["-e", raw], Environment = Env, KeepCapabilities = true });
            Assert.Equal("raw ok\n", kept.Stdout);
        }
    }
}
