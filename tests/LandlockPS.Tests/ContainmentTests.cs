using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;
using LandlockPS.Core.Sandbox;
using Xunit;
using static LandlockPS.Tests.SandboxHarness;

namespace LandlockPS.Tests;

/// <summary>
/// No process outlives its run: escapees that left the child's session and process group (setsid
/// plus a double fork) end with it, on every way a run ends, and a program that forks before its
/// main cannot slip out. Serial: some switch to the process-group fallback through the environment.
/// </summary>
[Collection(SerialCollection.Name)]
public class ContainmentTests(EscapePrograms programs) : IClassFixture<EscapePrograms>
{
    // A grandchild in a session of its own whose parent is gone: it prints its pid once it has left
    // (the command substitution ends when it lets go of the pipe), and sleeps.
    private const string Escape = "pid=$( setsid sh -c 'echo $$; exec sleep 300 >/dev/null 2>&1' </dev/null 2>/dev/null & ); echo $pid";

    private static string Hierarchy => ControlGroupHierarchy.Current!.Path;

    [Fact]
    public void ThisMachineContainsRunsInACgroup()
    {
        // The test machine runs as root with a writable cgroup v2; the fallback is tested below.
        using ProcessTree tree = ControlGroupHierarchy.ForNewRun();
        Assert.True(tree.Mechanism == ContainmentMechanism.ControlGroup, $"runs are held by their process group: {tree.Description}");
        Assert.StartsWith("ControlGroup: ", ControlGroupHierarchy.Describe());
    }

    [Fact]
    public void AnEscapeeEndsWhenTheChildExits()
    {
        Result r = Sh(SystemRuleset(), Escape);
        Assert.Equal(0, r.ExitCode);
        AssertEnded(int.Parse(r.Stdout.Trim()));
    }

    [Fact]
    public void AnEscapeeEndsWhenTheRunIsKilled()
    {
        using SandboxedProcess p = SandboxedProcess.Start(new SandboxStartInfo("/bin/sh") { Arguments = ["-c", Escape + "; sleep 300"], Environment = Env }, SystemRuleset());
        int escapee = new Lines(p).NextNumber();
        Assert.True(KernelFacts.IsAlive(escapee));
        p.Kill();
        Assert.True(p.WaitForExit(30_000)); // a hang guard
        Assert.Equal(9, p.ExitStatus!.Signal);
        AssertEnded(escapee);
    }

    [Fact]
    public void AnEscapeeEndsWhenTheRunIsDisposedUnfinished()
    {
        SandboxedProcess p = SandboxedProcess.Start(new SandboxStartInfo("/bin/sh") { Arguments = ["-c", Escape + "; sleep 300"], Environment = Env }, SystemRuleset());
        int escapee = new Lines(p).NextNumber();
        p.Dispose();
        AssertEnded(escapee);
    }

    [NeedsCompilerFact]
    public void AProgramThatForksBeforeItsMainCannotSlipOut()
    {
        LandlockRuleset rs = SystemRuleset();
        rs.AddPathRule(programs.Bin, LandlockAccessFs.ReadExecute);
        for (int i = 0; i < 20; i++)
        {
            Result r = Run(rs, programs.Program("ctorfork"));
            Assert.Equal(0, r.ExitCode);
            AssertEnded(int.Parse(r.Stdout.Trim()));
        }
    }

    // clone3 can start a child in any cgroup whose cgroup.procs the caller's uid may write (root: all
    // of them), named by an O_PATH descriptor of its folder: Landlock checks neither. The control
    // shows the kernel does that for an unconfined program; in a run, traced or not, the child is
    // still made (its allowed twin: a program starts processes), and it stays in the run's cgroup.
    [NeedsCompilerFact]
    public void AChildStartedStraightIntoAnotherCgroupStaysInTheRuns() => StartStraightIntoAnotherCgroup(traced: false);

    [NeedsCompilerFact]
    public void AChildStartedStraightIntoAnotherCgroupStaysInTheRunsWhenTraced() => StartStraightIntoAnotherCgroup(traced: true);

    private void StartStraightIntoAnotherCgroup(bool traced)
    {
        string program = programs.Program("intocgroup");
        (int controlExit, string control) = Unconfined(program, Hierarchy);
        (int outside, string how) = Escapee(control);
        try
        {
            Assert.Equal((0, "clone3"), (controlExit, how));
            Assert.Equal(OwnCgroup(Environment.ProcessId), OwnCgroup(outside));
        }
        finally
        {
            LandlockPS.Core.Native.ProcessApi.Kill(outside, LandlockPS.Core.Native.ProcessApi.SIGKILL);
        }

        LandlockRuleset rs = SystemRuleset();
        rs.AddPathRule(programs.Bin, LandlockAccessFs.ReadExecute);
        using AccessObserver? observer = traced ? new AccessObserver() : null;
        var info = new SandboxStartInfo(program) { Arguments = [Hierarchy, "wait"], Environment = Env, Observer = observer };
        using SandboxedProcess p = SandboxedProcess.Start(info, rs);
        (int child, _) = Escapee(new Lines(p).Next());
        try
        {
            Assert.True(KernelFacts.IsAlive(child));
            Assert.Equal("/" + Path.GetFileName(p.ContainmentDetail), OwnCgroup(child));
            p.Kill();
            Assert.True(p.WaitForTreeGone(30_000)); // a hang guard
            AssertEnded(child);
        }
        finally
        {
            LandlockPS.Core.Native.ProcessApi.Kill(child, LandlockPS.Core.Native.ProcessApi.SIGKILL);
        }
    }

    [Fact]
    public void TheTreeIsGoneOnceTheRunIsAndItsCgroupWithIt()
    {
        using SandboxedProcess p = SandboxedProcess.Start(new SandboxStartInfo("/bin/sh") { Arguments = ["-c", Escape + "; exec sleep 300"], Environment = Env }, SystemRuleset());
        int escapee = new Lines(p).NextNumber();
        string cgroup = p.ContainmentDetail;
        Assert.Equal(ContainmentMechanism.ControlGroup, p.Containment);
        Assert.Equal(Path.GetFileName(cgroup), Path.GetFileName(File.ReadLines($"/proc/{escapee}/cgroup").First(l => l.StartsWith("0::"))));
        Assert.False(p.WaitForTreeGone(0));

        p.Kill();
        Assert.True(p.WaitForTreeGone(30_000));
        Assert.False(KernelFacts.IsAlive(escapee));
        Assert.False(Directory.Exists(cgroup));
    }

    [Fact]
    public void WithoutACgroupTheProcessGroupHoldsTheRunAndSaysWhy()
    {
        using var fallback = new EnvironmentSetting("LANDLOCKPS_TEST_NO_CGROUP", "1");
        using SandboxedProcess p = SandboxedProcess.Start(new SandboxStartInfo("/bin/sh") { Arguments = ["-c", Escape + "; sleep 300 & echo $!; wait"], Environment = Env }, SystemRuleset());
        Assert.Equal(ContainmentMechanism.ProcessGroup, p.Containment);
        Assert.Contains("LANDLOCKPS_TEST_NO_CGROUP", p.ContainmentDetail);
        var lines = new Lines(p);
        int escapee = lines.NextNumber();
        int member = lines.NextNumber();
        try
        {
            p.Kill();
            Assert.True(p.WaitForExit(30_000));
            Assert.True(p.WaitForTreeGone(30_000));
            // The member of the child's group ends with it; the process that left the group does not: the documented difference.
            Assert.False(KernelFacts.IsAlive(member));
            Assert.True(KernelFacts.IsAlive(escapee));
        }
        finally
        {
            LandlockPS.Core.Native.ProcessApi.Kill(escapee, LandlockPS.Core.Native.ProcessApi.SIGKILL);
        }
    }

    [Fact]
    public void ACgroupLeftByALandlockPSThatDiedIsEmptiedAndRemoved()
    {
        // A maker that is gone: a process that has exited, whose pid names no process now.
        using Process gone = Process.Start("/bin/true")!;
        gone.WaitForExit();
        string name = $"landlockps-{ControlGroupHierarchy.PidNamespace()}-{gone.Id}-1-1";
        string abandoned = Path.Combine(Hierarchy, name);
        Directory.CreateDirectory(abandoned);
        using Process sleeper = Process.Start("/bin/sleep", "300")!;
        File.WriteAllText(Path.Combine(abandoned, "cgroup.procs"), sleeper.Id.ToString());

        ControlGroupHierarchy.Current!.SweepAbandoned();

        Assert.True(sleeper.WaitForExit(30_000));
        Assert.False(Directory.Exists(abandoned));
    }

    /// <summary>The child's output, a line at a time.</summary>
    private sealed class Lines(SandboxedProcess process)
    {
        private string _buffered = "";

        public int NextNumber() => int.Parse(Next());

        public string Next()
        {
            while (!_buffered.Contains('\n'))
            {
                Assert.True(process.TryTakeOutput(out OutputChunk chunk, 30_000), "the child printed no line");
                _buffered += Encoding.ASCII.GetString(chunk.Buffer, 0, chunk.Count);
            }
            int end = _buffered.IndexOf('\n');
            string line = _buffered[..end];
            _buffered = _buffered[(end + 1)..];
            return line;
        }
    }

    // "PID HOW", as intocgroup prints it.
    private static (int Pid, string How) Escapee(string line)
    {
        string[] parts = line.Trim().Split(' ');
        return (int.Parse(parts[0]), parts[1]);
    }

    // The cgroup v2 a process is in, as /proc shows it ("/landlockps-...").
    private static string OwnCgroup(int pid) => File.ReadLines($"/proc/{pid}/cgroup").First(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];

    private static void AssertEnded(int pid)
    {
        // SIGKILL lands asynchronously: a hang guard, not a timing target.
        var clock = Stopwatch.StartNew();
        while (KernelFacts.IsAlive(pid) && clock.ElapsedMilliseconds < 30_000) Thread.Sleep(10);
        Assert.False(KernelFacts.IsAlive(pid), $"process {pid} outlived its run");
    }
}
