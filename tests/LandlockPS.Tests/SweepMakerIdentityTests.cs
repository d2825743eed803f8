using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using LandlockPS.Core.Native;
using LandlockPS.Core.Sandbox;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// The sweep of abandoned cgroups tells a live maker by its pid and start time. The start time
/// /proc shows is the reader's view: shifted by the reader's time namespace (its boottime offset).
/// A LandlockPS in one time namespace must never take a live run of one in another (same cgroup,
/// same PID namespace) for abandoned. Each case has its twin: the same maker in this time namespace,
/// and the same maker once gone (then its cgroup is swept: the probe reaches the sweep).
/// </summary>
[Collection(SerialCollection.Name)]
public class SweepMakerIdentityTests
{
    private static string Hierarchy => ControlGroupHierarchy.Current!.Path;

    [NeedsTimeNamespaceFact]
    public void ALiveMakerInAnotherTimeNamespaceKeepsItsRun()
    {
        using var maker = Maker.Start(boottimeOffset: 100000);
        // The probe is real: this process reads another start time under the maker's pid than the maker does.
        Assert.NotEqual(maker.OwnStartTime, ReadStartTime(maker.Pid));
        AssertKeptWhileAliveAndSweptOnceGone(maker);
    }

    [NeedsTimeNamespaceFact]
    public void ALiveMakerInThisTimeNamespaceKeepsItsRun()
    {
        using var maker = Maker.Start(boottimeOffset: null);
        Assert.Equal(maker.OwnStartTime, ReadStartTime(maker.Pid));
        AssertKeptWhileAliveAndSweptOnceGone(maker);
    }

    // A cgroup named as the maker's LandlockPS names one (pidns-pid-starttime-sequence, its own view
    // of its start time), with a process of the run in it.
    private static void AssertKeptWhileAliveAndSweptOnceGone(Maker maker)
    {
        string name = $"landlockps-{ControlGroupHierarchy.PidNamespace()}-{maker.Pid}-{maker.OwnStartTime}-1";
        string run = Path.Combine(Hierarchy, name);
        Directory.CreateDirectory(run);
        using Process member = Process.Start("/bin/sleep", "300")!;
        try
        {
            File.WriteAllText(Path.Combine(run, "cgroup.procs"), member.Id.ToString());

            ControlGroupHierarchy.Current!.SweepAbandoned();
            Assert.True(KernelFacts.IsAlive(member.Id), "the sweep killed the run of a maker that is alive");
            Assert.True(Directory.Exists(run));

            maker.End();
            ControlGroupHierarchy.Current!.SweepAbandoned();
            Assert.True(member.WaitForExit(30_000), "the run of a maker that is gone was not swept");
            Assert.False(Directory.Exists(run));
        }
        finally
        {
            if (!member.HasExited) member.Kill();
            member.WaitForExit();
            if (Directory.Exists(run)) ControlGroupHierarchy.Current!.Remove(name);
        }
    }

    private static string ReadStartTime(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
    }

    /// <summary>A process that stands for a LandlockPS: it prints its pid and its own view of its start time, and sleeps.</summary>
    private sealed class Maker : IDisposable
    {
        private readonly Process _process;

        private Maker(Process process, int pid, string ownStartTime)
        {
            _process = process;
            Pid = pid;
            OwnStartTime = ownStartTime;
        }

        internal int Pid { get; }

        internal string OwnStartTime { get; }

        internal static Maker Start(int? boottimeOffset)
        {
            // awk, a child of the shell, reads the shell's stat in the shell's time namespace; exec keeps pid and start time.
            const string Script = "echo $$ $(awk '{print $22}' /proc/$$/stat); exec sleep 300";
            var start = boottimeOffset is int offset
                ? new ProcessStartInfo("unshare", ["--time", "--boottime", offset.ToString(), "/bin/sh", "-c", Script])
                : new ProcessStartInfo("/bin/sh", ["-c", Script]);
            start.RedirectStandardOutput = true;
            Process process = Process.Start(start)!;
            string[] line = (process.StandardOutput.ReadLine() ?? "").Split(' ');
            Assert.True(line.Length == 2, $"the maker printed no pid and start time: '{string.Join(' ', line)}'");
            return new Maker(process, int.Parse(line[0]), line[1]);
        }

        // Gone: the maker's pid names no process (unshare, its parent if any, reaps it).
        internal void End()
        {
            ProcessApi.Kill(Pid, ProcessApi.SIGKILL);
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            var clock = Stopwatch.StartNew();
            while (ProcessApi.Exists(Pid) && clock.ElapsedMilliseconds < 30_000) Thread.Sleep(10);
            Assert.False(ProcessApi.Exists(Pid));
        }

        public void Dispose()
        {
            ProcessApi.Kill(Pid, ProcessApi.SIGKILL);
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            _process.Dispose();
        }
    }
}

/// <summary>A test that makes a time namespace (unshare --time, root here): skipped, saying why, where that cannot be done.</summary>
public sealed class NeedsTimeNamespaceFactAttribute : FactAttribute
{
    public NeedsTimeNamespaceFactAttribute()
    {
        if (!CanUnshareTime()) Skip = "needs unshare (util-linux) and the right to make a time namespace (Linux 5.6 or newer, root)";
    }

    private static bool CanUnshareTime()
    {
        try
        {
            using Process probe = Process.Start(new ProcessStartInfo("unshare", ["--time", "--boottime", "1", "/bin/true"]) { RedirectStandardError = true })!;
            probe.StandardError.ReadToEnd();
            probe.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
