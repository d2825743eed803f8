using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// Every process one sandboxed run starts, and the ways to end them: <see cref="Signal"/> reaches
/// the child's process group (a polite stop), <see cref="KillAll"/> every process the mechanism
/// holds. It reaps the child too, so that no signal ever goes to a group whose id was reused.
/// Trees still alive when this process ends (see <see cref="CallerExit"/>) are killed then.
/// </summary>
internal abstract class ProcessTree : IDisposable
{
    private const int ExitWaitMilliseconds = 2000;
    private static readonly HashSet<ProcessTree> Live = [];

    private readonly object _gate = new();
    private SafePidfdHandle? _pidfd;
    private int _pid;
    private SandboxExitStatus? _status;
    private bool _freed;

    static ProcessTree() => CallerExit.Register(EndAll);

    protected ProcessTree(string description)
    {
        Description = description;
        lock (Live) Live.Add(this);
    }

    public abstract ContainmentMechanism Mechanism { get; }

    /// <summary>The directory of the cgroup that holds the run, or why only its process group does.</summary>
    public string Description { get; }

    /// <summary>The child is reaped: its process group id may belong to someone else from now on.</summary>
    protected bool Reaped
    {
        get
        {
            lock (_gate) return _status is not null;
        }
    }

    /// <summary>The child's pid, which is also its process group and session id (it is spawned with setsid).</summary>
    protected int ChildPid => _pid;

    /// <summary>Names the child once it exists. The pidfd stays the caller's: it must outlive this tree's use of it.</summary>
    internal void Attach(int pid, SafePidfdHandle pidfd)
    {
        lock (_gate)
        {
            _pid = pid;
            _pidfd = pidfd;
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to the child's process group (not to processes that left it).
    /// Through the pidfd, only the group of exactly this child is signalled, and nothing once it is
    /// reaped. Kernels before 6.9 lack that: then kill(-pgid), but only while the child is provably
    /// not yet reaped, since only that keeps its pid, and so its group id, ours.
    /// </summary>
    public unsafe void Signal(int signal)
    {
        lock (_gate)
        {
            if (_status is not null || _pidfd is null) return;
            bool added = false;
            try
            {
                _pidfd.DangerousAddRef(ref added);
                long rc = LibC.Syscall(ProcessApi.SYS_pidfd_send_signal, _pidfd.Fd, signal, 0, (nint)ProcessApi.PIDFD_SIGNAL_PROCESS_GROUP);
                if (rc == 0 || Marshal.GetLastPInvokeError() != Errno.EINVAL) return;
                ProcessApi.SigInfo probe;
                if (ProcessApi.WaitId(ProcessApi.P_PIDFD, _pidfd.Fd, &probe, ProcessApi.WEXITED | ProcessApi.WNOHANG | ProcessApi.WNOWAIT) == 0)
                {
                    ProcessApi.Kill(-_pid, signal);
                }
            }
            catch (ObjectDisposedException)
            {
                // The pidfd is closed: the child was reaped.
            }
            finally
            {
                if (added) _pidfd.DangerousRelease();
            }
        }
    }

    /// <summary>Kills (SIGKILL) every process this tree holds. Safe at any time, from any thread.</summary>
    public abstract void KillAll();

    /// <summary>Waits for the child to exit and reaps it (once); both fields of the status are null when another reaper took it.</summary>
    internal SandboxExitStatus Reap()
    {
        lock (_gate) return _status ??= WaitForChild(ProcessApi.WEXITED)!;
    }

    /// <summary>Reaps the child if it has exited; true once it is reaped.</summary>
    protected bool TryReap()
    {
        lock (_gate)
        {
            if (_status is null && _pidfd is not null) _status = WaitForChild(ProcessApi.WEXITED | ProcessApi.WNOHANG);
            return _status is not null;
        }
    }

    // Null when WNOHANG finds the child still running. Holds the pidfd meanwhile, so its number
    // cannot name another process's pidfd.
    private unsafe SandboxExitStatus? WaitForChild(int options)
    {
        ProcessApi.SigInfo info = default;
        int rc;
        bool added = false;
        try
        {
            _pidfd!.DangerousAddRef(ref added);
            do
            {
                rc = ProcessApi.WaitId(ProcessApi.P_PIDFD, _pidfd.Fd, &info, options);
            }
            while (rc < 0 && Marshal.GetLastPInvokeError() == ProcessApi.EINTR);
        }
        catch (ObjectDisposedException)
        {
            rc = -1;
        }
        finally
        {
            if (added) _pidfd!.DangerousRelease();
        }
        if (rc != 0) return new SandboxExitStatus(null, null);
        if (info.Pid == 0) return null;
        return info.Code == ProcessApi.CLD_EXITED ? new SandboxExitStatus(info.Status, null) : new SandboxExitStatus(null, info.Status);
    }

    /// <summary>
    /// Waits until every process of the run has ended, then frees what held them (the cgroup).
    /// True once they have; false when the time ran out first.
    /// </summary>
    public bool WaitUntilGone(int millisecondsTimeout)
    {
        var clock = Stopwatch.StartNew();
        while (!IsGone)
        {
            long left = millisecondsTimeout < 0 ? int.MaxValue : millisecondsTimeout - clock.ElapsedMilliseconds;
            if (left <= 0) return false;
            WaitForChange((int)Math.Min(left, int.MaxValue));
        }
        lock (_gate)
        {
            if (!_freed) Free();
            _freed = true;
        }
        return true;
    }

    /// <summary>Kills whatever is left and frees the tree once it is gone (or leaves that to the exit of this process).</summary>
    public void Dispose()
    {
        KillAll();
        if (!WaitUntilGone(ExitWaitMilliseconds)) return;
        lock (Live) Live.Remove(this);
    }

    /// <summary>True once no process of the run is left.</summary>
    protected abstract bool IsGone { get; }

    /// <summary>Blocks until the tree may have changed, or for at most <paramref name="milliseconds"/>.</summary>
    protected abstract void WaitForChange(int milliseconds);

    /// <summary>Releases what held the tree, once it is empty.</summary>
    protected virtual void Free()
    {
    }

    // This process is exiting: nothing it started may outlive it.
    private static void EndAll()
    {
        ProcessTree[] trees;
        lock (Live) trees = [.. Live];
        foreach (ProcessTree tree in trees) tree.KillAll();
        var clock = Stopwatch.StartNew();
        foreach (ProcessTree tree in trees) tree.WaitUntilGone((int)Math.Max(0, ExitWaitMilliseconds - clock.ElapsedMilliseconds));
    }
}
