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
        Assert.True(KernelFacts.IsAlive(grandchild));

        p.Kill();
        // A hang guard, not a timing target: the kill lands at once; a loaded machine may be slow to say so.
        Assert.True(p.WaitForExit(30_000));
        Assert.Equal(9, p.ExitStatus!.Signal);
        Assert.False(KernelFacts.IsAlive(grandchild));
    }

    [Fact]
    public void ANormalExitAlsoEndsWhatTheChildLeftBehind()
    {
        var r = Sh(SystemRuleset(), "sleep 300 >/dev/null 2>&1 & echo $!");
        int orphan = int.Parse(r.Stdout.Trim());
        Thread.Sleep(50);
        Assert.False(KernelFacts.IsAlive(orphan));
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
    public async Task AProcessThatLeftTheGroupCannotHoldTheRunOpen()
    {
        // setsid takes "sleep" out of the child's process group (where only the group holds the
        // run, the kill misses it) while it still holds the child's stdout open, so the output
        // never reaches end-of-file.
        using var fallback = new EnvironmentSetting("LANDLOCKPS_TEST_NO_CGROUP", "1");
        Task<Result> run = Task.Run(() => Sh(SystemRuleset(), "setsid sleep 300 & echo $!; sleep 0.2; exit 0"));
        // Without the fix this run never ends; a minute is a hang guard, not a timing target.
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(1))) == run, "the run waited for a process outside the child's group");
        Result result = await run;
        int escaped = int.Parse(result.Stdout.Trim());
        try
        {
            Assert.Equal(0, result.ExitCode);
            Assert.True(KernelFacts.IsAlive(escaped), "the test needs a process that outlives the run");
        }
        finally
        {
            Process.GetProcessById(escaped).Kill();
        }
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
        LandlockRuleset rs = SystemRuleset();
        int baselineFds = WarmedUpFdCount(() => Run(rs, "/bin/true"));

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
        AssertNoDescriptorLeak(baselineFds, launches: 400);
        Assert.Empty(ChildrenOfThisProcess());
        // Every run's cgroup is gone; one made ahead for the next run may wait.
        string hierarchy = LandlockPS.Core.Sandbox.ControlGroupHierarchy.Current!.Path;
        Assert.True(Directory.GetDirectories(hierarchy, $"landlockps-*-{Environment.ProcessId}-*").Length <= 1);
    }

    [Fact]
    public void FailedLaunchesLeaveNoDescriptorOrChild()
    {
        void FailTwice()
        {
            Assert.ThrowsAny<Exception>(() => Run(new LandlockRuleset(), "/usr/bin/perl", "-e", "1"));
            Assert.ThrowsAny<Exception>(() => Run(SystemRuleset(), "/no/such/program"));
        }
        int baselineFds = WarmedUpFdCount(FailTwice);
        for (int i = 0; i < 50; i++) FailTwice();
        AssertNoDescriptorLeak(baselineFds, launches: 100);
        Assert.Empty(ChildrenOfThisProcess());
        Assert.True(KernelFacts.NoThreadIsRestricted());
    }

    // The count after one round of the work, so descriptors the runtime opens once (lazily, on
    // first use) are not taken for a leak.
    private static int WarmedUpFdCount(Action work)
    {
        work();
        return KernelFacts.OpenFdCount();
    }

    // A leak costs a descriptor per launch, so it shows as dozens; the runtime's own housekeeping
    // (a timer, an epoll set made by a thread pool under load) as one or two.
    private static void AssertNoDescriptorLeak(int baseline, int launches)
    {
        int grown = KernelFacts.OpenFdCount() - baseline;
        Assert.True(grown < 4, $"{grown} more descriptors after {launches} launches");
    }
}
