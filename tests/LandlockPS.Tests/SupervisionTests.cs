using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;
using Xunit;
using static LandlockPS.Tests.SandboxHarness;

namespace LandlockPS.Tests;

/// <summary>Killing, reaping and the parent's integrity. Serial: they count the host's descriptors and children.</summary>
[Collection(SerialCollection.Name)]
public class SupervisionTests
{
    private static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static IEnumerable<int> ChildrenOfThisProcess() =>
        Directory.GetDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(n => n!.All(char.IsDigit))
            .Select(n => int.Parse(n!))
            .Where(pid =>
            {
                try
                {
                    string stat = File.ReadAllText($"/proc/{pid}/stat");
                    return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]) == Environment.ProcessId;
                }
                catch (IOException) { return false; }
            });

    [Fact]
    public void KillEndsTheWholeProcessGroup()
    {
        LandlockRuleset rs = SystemRuleset();
        rs.AddPathRule("/proc", LandlockAccessFs.ReadOnly);
        using SandboxedProcess p = SandboxedProcess.Start(
            new SandboxStartInfo("/bin/sh") { Arguments = ["-c", "sleep 300 & echo $!; wait"], Environment = Env }, rs);
        Assert.True(p.TryTakeOutput(out OutputChunk chunk, 10_000));
        int grandchild = int.Parse(System.Text.Encoding.ASCII.GetString(chunk.Buffer, 0, chunk.Count).Trim());
        Assert.True(IsAlive(grandchild));

        var clock = Stopwatch.StartNew();
        p.Kill();
        Assert.True(p.WaitForExit(5000));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Equal(9, p.ExitStatus!.Signal);
        Assert.False(IsAlive(grandchild));
    }

    [Fact]
    public void ANormalExitAlsoEndsWhatTheChildLeftBehind()
    {
        var r = Sh(SystemRuleset(), "sleep 300 >/dev/null 2>&1 & echo $!");
        int orphan = int.Parse(r.Stdout.Trim());
        Thread.Sleep(50);
        Assert.False(IsAlive(orphan));
    }

    [Fact]
    public void AnExitedChildsOutputIsNeverCutShort()
    {
        // Exit detection kills the group; that must not make TryTakeOutput give up early.
        for (int i = 0; i < 20; i++)
        {
            using SandboxedProcess p = SandboxedProcess.Start(
                new SandboxStartInfo("/bin/sh") { Arguments = ["-c", "yes 0123456789abcde | head -c 3000000"], Environment = Env }, SystemRuleset());
            long total = 0;
            while (p.TryTakeOutput(out OutputChunk chunk, 10_000))
            {
                if (chunk.Stream == ChildStream.StandardOutput) total += chunk.Count;
            }
            Assert.Equal(3_000_000, total);
            Assert.True(p.IsOutputCompleted);
        }
    }

    [Fact]
    public void AProcessThatLeftTheGroupCannotHoldTheRunOpen()
    {
        // setsid takes "yes" out of the child's process group, still writing into its stdout.
        var clock = Stopwatch.StartNew();
        var r = Sh(SystemRuleset(), "setsid yes & sleep 0.2; exit 0");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void DisposingARunningChildKillsAndReapsIt()
    {
        SandboxedProcess p = SandboxedProcess.Start(new SandboxStartInfo("/bin/sleep") { Arguments = ["300"], Environment = Env }, SystemRuleset());
        int pid = p.ProcessId;
        p.Dispose();
        Assert.False(Directory.Exists($"/proc/{pid}"));
    }

    [Fact]
    public void HundredsOfLaunchesLeaveTheParentAsItWas()
    {
        string before = File.ReadAllText("/etc/passwd");
        int baselineFds = KernelFacts.OpenFdCount();
        LandlockRuleset rs = SystemRuleset();

        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(0, Run(rs, "/bin/true").ExitCode);
        }
        var failures = new ConcurrentBag<string>();
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var r = Run(rs, "/bin/echo", i.ToString());
            if (r.Stdout != $"{i}\n") failures.Add($"{i}: '{r.Stdout}' exit {r.ExitCode}");
        });
        Assert.Empty(failures);

        Assert.True(KernelFacts.NoThreadIsRestricted());
        Assert.Equal(before, File.ReadAllText("/etc/passwd"));
        Assert.Equal(baselineFds, KernelFacts.OpenFdCount());
        Assert.Empty(ChildrenOfThisProcess());
    }

    [Fact]
    public void FailedLaunchesLeaveNoDescriptorOrChild()
    {
        int baselineFds = KernelFacts.OpenFdCount();
        for (int i = 0; i < 50; i++)
        {
            Assert.ThrowsAny<Exception>(() => Run(new LandlockRuleset(), "/usr/bin/perl", "-e", "1"));
            Assert.ThrowsAny<Exception>(() => Run(SystemRuleset(), "/no/such/program"));
        }
        Assert.Equal(baselineFds, KernelFacts.OpenFdCount());
        Assert.Empty(ChildrenOfThisProcess());
        Assert.True(KernelFacts.NoThreadIsRestricted());
    }
}
