using System;
using System.Diagnostics;
using System.IO;
using LandlockPS.Core.Native;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>Telling whether a process lives, and which one it is, by asking the kernel rather than a /proc that may show another PID namespace.</summary>
public partial class ProcessLookupTests
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [Fact]
    public void AThreadExistsUntilItHasExited()
    {
        int tid = 0;
        using var release = new System.Threading.ManualResetEventSlim();
        var thread = new System.Threading.Thread(() =>
        {
            System.Threading.Volatile.Write(ref tid, GetTid());
            release.Wait();
        });
        thread.Start();
        var clock = Stopwatch.StartNew();
        while (System.Threading.Volatile.Read(ref tid) == 0) System.Threading.Thread.Sleep(1);
        Assert.True(ProcessApi.ThreadExists(tid));
        Assert.True(ProcessApi.ThreadExists(GetTid()));
        release.Set();
        thread.Join();
        // The kernel unlists an exited thread a moment after a join returns.
        while (ProcessApi.ThreadExists(tid) && clock.ElapsedMilliseconds < 5000) System.Threading.Thread.Sleep(1);
        Assert.False(ProcessApi.ThreadExists(tid));
        Assert.False(ProcessApi.ThreadExists(0));
    }

    [Fact]
    public void AProcessExistsUntilItIsReaped()
    {
        using var sleeper = Process.Start("/bin/sleep", "30");
        try
        {
            Assert.True(ProcessApi.Exists(sleeper.Id));
            Assert.True(ProcessApi.Exists(Environment.ProcessId));
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
        Assert.False(ProcessApi.Exists(sleeper.Id));
        Assert.False(ProcessApi.Exists(0));
        Assert.False(ProcessApi.Exists(-1));
    }

    [Fact]
    public void AChildRunsUntilItExitsAndANonChildNeverCounts()
    {
        using var sleeper = Process.Start("/bin/sleep", "30");
        Assert.True(ProcessApi.ChildIsRunning(sleeper.Id));
        sleeper.Kill();
        sleeper.WaitForExit();
        Assert.False(ProcessApi.ChildIsRunning(sleeper.Id));
        // The twin: a process that lives but is not this process's child.
        Assert.True(ProcessApi.Exists(1));
        Assert.False(ProcessApi.ChildIsRunning(1));
    }

    [Fact]
    public void OwnStartTimeIsReadThroughSelfAndMatchesTheEntryUnderOwnPid()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string expected = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        Assert.True(ProcessStat.ProcShowsOwnPids);
        Assert.Equal(expected, ProcessStat.OwnStartTime());
        Assert.Equal(expected, ProcessStat.StartTime(Environment.ProcessId));
        Assert.NotEqual(expected, ProcessStat.StartTime(1));
    }
}
