using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// A child process confined by Landlock from its first instruction. Its pipes and its pidfd are
/// serviced by whichever thread reads its output (one poll per call, no thread of its own): that
/// thread moves output into chunks, writes queued input, notices the exit, kills every process the
/// child left behind and reaps it. <see cref="Kill"/>, <see cref="TryWriteInput"/> and
/// <see cref="CloseInput"/> may be called from any thread.
/// </summary>
public sealed unsafe class SandboxedProcess : IDisposable
{
    // Under the large-object threshold, so output chunks are cheap short-lived gen0 arrays.
    private const int ChunkBytes = 64 * 1024;
    private const int PipeBytes = 1 << 20;
    private const int MaxPendingInputBytes = 1 << 20;
    private const int ExitGraceMilliseconds = 2000;
    // Read buffers, shared by every child and kept by no thread: a caller with many sessions holds
    // as many as are read into at once, not one per session's thread as the shared pool would.
    private static readonly ArrayPool<byte> ReadBuffers = ArrayPool<byte>.Create(ChunkBytes, 16);

    private readonly SafePidfdHandle _pidfd;
    private readonly ProcessTree _tree;
    private readonly SafeDescriptorHandle _wake;
    private readonly Stopwatch _clock;
    private readonly Queue<OutputChunk> _ready = new();
    private readonly Queue<byte[]> _input = new();
    // Guards the input queue and the stdin pipe, which any thread may write to or close.
    private readonly object _inputGate = new();
    private readonly bool _hasInputPipe;
    private SafeDescriptorHandle? _stdin;
    private SafeDescriptorHandle? _stdout;
    private SafeDescriptorHandle? _stderr;
    private int _inputOffset;
    private int _pendingInputBytes;
    private bool _closeInput;
    // The thread waiting in poll, if one is: input left queued by another thread must wake it.
    private int _pollingThread;
    private bool _grown;
    private bool _woken;
    private long _exitedAt = -1;
    private bool _reaped;
    private bool _disposed;

    private SandboxedProcess(int pid, SafePidfdHandle pidfd, ProcessTree tree, SafeDescriptorHandle wake, SafeDescriptorHandle? stdin, SafeDescriptorHandle? stdout,
        SafeDescriptorHandle? stderr, LandlockEnforcementReport enforcement, Stopwatch clock)
    {
        ProcessId = pid;
        _pidfd = pidfd;
        _tree = tree;
        _stdin = stdin;
        _hasInputPipe = stdin is not null;
        _stdout = stdout;
        _stderr = stderr;
        _clock = clock;
        Enforcement = enforcement;
        StartTime = DateTimeOffset.Now;
        _wake = wake;
    }

    /// <summary>The child's process id.</summary>
    public int ProcessId { get; }

    /// <summary>When the child started.</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>What the kernel enforces of the ruleset for this child.</summary>
    public LandlockEnforcementReport Enforcement { get; }

    /// <summary>The rules added to a copy of the ruleset so the child can use its private terminal; empty without one.</summary>
    public IReadOnlyList<LandlockPathRule> TerminalRules { get; private init; } = [];

    /// <summary>What holds every process the child starts, so that none outlives the run.</summary>
    public ContainmentMechanism Containment => _tree.Mechanism;

    /// <summary>The directory of the cgroup that holds the run, or why only the process group does.</summary>
    public string ContainmentDetail => _tree.Description;

    /// <summary>How the child ended; null while it runs. Both fields null: another reaper took it.</summary>
    public SandboxExitStatus? ExitStatus { get; private set; }

    /// <summary>From the spawn to the exit.</summary>
    public TimeSpan Duration { get; private set; }

    /// <summary>Whether the child has ended.</summary>
    public bool HasExited => _exitedAt >= 0;

    /// <summary>True once the child is reaped and every output chunk has been taken.</summary>
    public bool IsOutputCompleted => _reaped && _ready.Count == 0;

    /// <summary>
    /// What holds the processes of a run this process starts: "ControlGroup: ..." (a cgroup of its
    /// own per run), or "ProcessGroup: " and why no cgroup v2 can be used.
    /// </summary>
    public static string DescribeContainment() => ControlGroupHierarchy.Describe();

    /// <summary>
    /// Where runs get their cgroups, when a child confined by <paramref name="ruleset"/> may write a
    /// file there, and so move itself out of its run's cgroup and outlive the run; null when it may
    /// not, or runs get no cgroup here.
    /// </summary>
    public static string? ControlGroupsWritableBy(LandlockRuleset ruleset) => ControlGroupHierarchy.WritableBy(ruleset);

    /// <summary>The cgroup file system runs are held in, as <see cref="ControlGroupsWritableBy"/> names it; null where there is none.</summary>
    public static string? ControlGroupMount => ControlGroupHierarchy.Current?.MountPoint;

    /// <summary>Compiles the ruleset, confines a new thread with it, spawns the child from that thread.</summary>
    public static SandboxedProcess Start(SandboxStartInfo info, LandlockRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(ruleset);
        LaunchChecks.Validate(info);
        IReadOnlyList<LandlockPathRule> terminalRules = [];
        if (info.Terminal is { } terminal)
        {
            ruleset = ruleset.Clone(); // the caller's ruleset stays as it was
            terminalRules = terminal.AllowIn(ruleset);
        }
        using CompiledRuleset compiled = RulesetCompiler.Compile(ruleset, held: info.HeldPathRules);
        LaunchChecks.RequireEnforcement(compiled.Report, info.AllowUnconfined);
        CallerChannels.Close();

        SafeDescriptorHandle? stdinRead = null, stdinWrite = null, stdoutRead = null, stdoutWrite = null, stderrRead = null, stderrWrite = null, wake = null;
        ProcessTree tree = ControlGroupHierarchy.ForNewRun();
        try
        {
            // Everything that can fail is made before the child exists, so a failure never strands one.
            // A child on a terminal gets no pipes: its stdio is the terminal's replica.
            if (info.Terminal is null)
            {
                if (info.RedirectStandardInput) (stdinRead, stdinWrite) = FileDescriptors.Pipe();
                else stdinRead = FileDescriptors.OpenDevNull();
                (stdoutRead, stdoutWrite) = FileDescriptors.Pipe();
                (stderrRead, stderrWrite) = FileDescriptors.Pipe();
            }
            foreach (SafeDescriptorHandle? ours in new[] { stdinWrite, stdoutRead, stderrRead })
            {
                if (ours is not null) FileDescriptors.SetNonBlocking(ours);
            }
            wake = FileDescriptors.EventFd();

            var clock = Stopwatch.StartNew();
            int pid = LaunchPad.Spawn(info, compiled, stdinRead?.Fd ?? -1, stdoutWrite?.Fd ?? -1, stderrWrite?.Fd ?? -1, tree);
            tree = Placed(tree);
            // The child is running now: make the next run's cgroup while it does.
            if (tree is ControlGroupTree) ControlGroupHierarchy.PrepareNext();
            // The child holds its own copies now; ours would keep its pipes open after it exits.
            stdinRead?.Dispose();
            stdoutWrite?.Dispose();
            stderrWrite?.Dispose();
            SafePidfdHandle pidfd;
            try
            {
                pidfd = FileDescriptors.PidfdOpen(pid);
            }
            catch
            {
                // No pidfd: the pid is still ours until we reap it (unless SIGCHLD is ignored).
                if (pid > 0)
                {
                    tree.KillAll();
                    ProcessApi.Kill(-pid, ProcessApi.SIGKILL);
                    ProcessApi.SigInfo lost;
                    ProcessApi.WaitId(ProcessApi.P_PID, pid, &lost, ProcessApi.WEXITED);
                }
                throw;
            }
            tree.Attach(pid, pidfd);
            return new SandboxedProcess(pid, pidfd, tree, wake, stdinWrite, stdoutRead, stderrRead, compiled.Report, clock) { TerminalRules = terminalRules };
        }
        catch
        {
            foreach (SafeDescriptorHandle? h in new[] { stdinRead, stdinWrite, stdoutRead, stdoutWrite, stderrRead, stderrWrite, wake }) h?.Dispose();
            tree.Dispose();
            throw;
        }
    }

    // A cgroup the child did not enter holds nothing: the run falls back to the process group.
    // A refused move says the cgroup cannot be used; a child killed at the gate says nothing.
    private static ProcessTree Placed(ProcessTree tree)
    {
        if (tree is not ControlGroupTree { Adopted: false } unplaced) return tree;
        string why = unplaced.AdoptionError == 0
            ? "the child ended before it could be placed in its cgroup"
            : $"the child could not be moved into its cgroup {unplaced.Description} ({Errno.Name(unplaced.AdoptionError)})";
        if (unplaced.AdoptionError != 0) ControlGroupHierarchy.MarkUnusable(why);
        unplaced.Dispose();
        return new ProcessGroupTree(why);
    }

    /// <summary>
    /// Takes the next output chunk, servicing the child while it waits. False on timeout, when
    /// <see cref="Wake"/> is called, or once the output is complete. Throws
    /// OperationCanceledException when the token is cancelled.
    /// </summary>
    public bool TryTakeOutput(out OutputChunk chunk, int millisecondsTimeout, CancellationToken cancellationToken = default)
    {
        using CancellationTokenRegistration wakeOnCancel = cancellationToken.CanBeCanceled ? cancellationToken.Register(Wake) : default;
        long deadline = millisecondsTimeout < 0 ? long.MaxValue : _clock.ElapsedMilliseconds + millisecondsTimeout;
        while (true)
        {
            if (_ready.TryDequeue(out chunk)) return true;
            if (_reaped) return false;
            cancellationToken.ThrowIfCancellationRequested();
            if (_woken)
            {
                _woken = false;
                return false;
            }
            long left = deadline - _clock.ElapsedMilliseconds;
            if (left <= 0 && millisecondsTimeout >= 0 && !PollOnce(0)) return false;
            if (left > 0) PollOnce((int)Math.Min(left, int.MaxValue));
        }
    }

    /// <summary>
    /// Services the child without taking its output, for a reader that must not take more for now:
    /// writes queued input and notices the exit, and reads output only while a little waits (then the
    /// child blocks on its full pipe). Returns when something happened, on <see cref="Wake"/>, or
    /// after <paramref name="millisecondsTimeout"/>.
    /// </summary>
    public void Service(int millisecondsTimeout)
    {
        if (!_reaped) PollOnce(millisecondsTimeout);
        _woken = false;
    }

    /// <summary>
    /// Writes bytes to the child's standard input, on the calling thread, as far as the pipe takes
    /// them now; a copy of the rest is queued for the thread servicing the child. False when a
    /// megabyte is already waiting: take some output and try again, so a child that writes before it
    /// reads never deadlocks.
    /// </summary>
    public bool TryWriteInput(ReadOnlySpan<byte> data)
    {
        lock (_inputGate)
        {
            if (!_hasInputPipe || _closeInput) throw new InvalidOperationException("The child's standard input is not a pipe, or it was closed.");
            // A child that stopped reading (or ended) gets nothing more; the rest is dropped.
            if (data.IsEmpty || _stdin is null) return true;
            if (_pendingInputBytes > 0 && _pendingInputBytes + data.Length > MaxPendingInputBytes) return false;
            bool queued = _input.Count > 0;
            // Nothing waits before it: straight into the pipe.
            if (!queued)
            {
                if (!Write(data, out int written)) return true;
                data = data[written..];
                if (data.IsEmpty) return true;
            }
            _input.Enqueue(data.ToArray());
            _pendingInputBytes += data.Length;
            // Behind what waits: the pipe may take some of it by now.
            if (queued) WriteInput();
            if (_input.Count == 0) return true;
        }
        // What the pipe did not take waits for the servicing thread, which may be polling without
        // watching stdin: it either sees the input left (WatchInput) or is woken here.
        Interlocked.MemoryBarrier();
        int polling = Volatile.Read(ref _pollingThread);
        if (polling != 0 && polling != Environment.CurrentManagedThreadId) Wake();
        return true;
    }

    /// <summary>Closes the child's standard input once everything queued has been written.</summary>
    public void CloseInput()
    {
        lock (_inputGate)
        {
            _closeInput = true;
            if (_input.Count == 0) CloseStdin();
        }
    }

    /// <summary>
    /// Kills (SIGKILL) every process of the run: its whole cgroup, or, where only the process group
    /// holds it (see <see cref="Containment"/>), that group. Safe at any time, from any thread.
    /// </summary>
    public void Kill()
    {
        _tree.KillAll();
        Wake();
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to the child's process group (SIGINT for Ctrl+C, SIGTERM for a
    /// timeout), leaving it to end on its own. Safe at any time, from any thread.
    /// </summary>
    public void Signal(int signal)
    {
        _tree.Signal(signal);
        Wake();
    }

    /// <summary>
    /// Waits until every process of the run has ended: all of its cgroup, or, held by the process
    /// group, the child and that group (a process that left the group is not seen). False when the
    /// time ran out first. Once true, nothing of the run can write to a place it was given.
    /// </summary>
    public bool WaitForTreeGone(int millisecondsTimeout = Timeout.Infinite) => _tree.WaitUntilGone(millisecondsTimeout);

    /// <summary>
    /// Services the child until it is reaped. Its output stays queued for <see cref="TryTakeOutput"/>,
    /// without limit: take the output first, or dispose, for a child that writes a lot.
    /// </summary>
    public bool WaitForExit(int millisecondsTimeout = Timeout.Infinite)
    {
        long deadline = millisecondsTimeout < 0 ? long.MaxValue : _clock.ElapsedMilliseconds + millisecondsTimeout;
        while (!_reaped)
        {
            long left = deadline - _clock.ElapsedMilliseconds;
            if (left <= 0) return false;
            PollOnce((int)Math.Min(left, int.MaxValue), ignoreBackpressure: true);
        }
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_reaped)
        {
            _tree.KillAll();
            Finish();
        }
        _tree.Dispose();
        _wake.Dispose();
        _pidfd.Dispose();
    }

    /// <summary>
    /// Makes the thread servicing the child return from <see cref="TryTakeOutput"/> (e.g. to queue
    /// input that another thread produced). Safe from any thread.
    /// </summary>
    public void Wake() => FileDescriptors.Notify(_wake);

    /// <summary>One round of service: wait up to <paramref name="timeout"/> ms for anything, handle all of it.</summary>
    private bool PollOnce(int timeout, bool ignoreBackpressure = false)
    {
        if (_reaped) return false;
        bool exited = _exitedAt >= 0;
        // After the exit: done when the pipes are, or when the grace period is over even if
        // something that left the process group keeps writing into them.
        if (exited && ((_stdout is null && _stderr is null) || _clock.ElapsedMilliseconds - _exitedAt >= ExitGraceMilliseconds))
        {
            Finish();
            return true;
        }

        // Stop reading while a megabyte of output waits to be taken: the child then blocks on its
        // pipe, which bounds memory however fast it writes.
        bool room = ignoreBackpressure || _ready.Count < PipeBytes / ChunkBytes;
        ProcessApi.PollFd* fds = stackalloc ProcessApi.PollFd[5];
        int n = 0, outIdx = -1, errIdx = -1, inIdx = -1, pidIdx = -1;
        if (room && _stdout is not null) { outIdx = n; fds[n++] = Poll(_stdout.Fd, ProcessApi.POLLIN); }
        if (room && _stderr is not null) { errIdx = n; fds[n++] = Poll(_stderr.Fd, ProcessApi.POLLIN); }
        SafeDescriptorHandle? stdin = WatchInput();
        if (stdin is not null) { inIdx = n; fds[n++] = Poll(stdin.Fd, ProcessApi.POLLOUT); }
        if (!exited) { pidIdx = n; fds[n++] = Poll(_pidfd.Fd, ProcessApi.POLLIN); }
        int wakeIdx = n;
        fds[n++] = Poll(_wake.Fd, ProcessApi.POLLIN);

        // After the exit, wait a little for output still in flight, then stop waiting for pipes
        // held open by something that escaped the process group.
        if (exited) timeout = (int)Math.Clamp(ExitGraceMilliseconds - (_clock.ElapsedMilliseconds - _exitedAt), 0, timeout < 0 ? int.MaxValue : timeout);
        int rc, errno;
        try
        {
            rc = ProcessApi.Poll(fds, (nuint)n, timeout);
            errno = rc < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        finally
        {
            Volatile.Write(ref _pollingThread, 0);
            stdin?.DangerousRelease();
        }
        if (rc < 0 && errno != ProcessApi.EINTR)
        {
            throw new LandlockException($"Waiting on the child failed ({Errno.Name(errno)}).", "poll", errno, "LaunchFailed");
        }
        if (rc <= 0)
        {
            if (exited && _clock.ElapsedMilliseconds - _exitedAt >= ExitGraceMilliseconds) Finish();
            return false;
        }

        if ((fds[wakeIdx].Revents & ProcessApi.POLLIN) != 0)
        {
            DrainWake();
            _woken = true;
        }
        if (outIdx >= 0 && fds[outIdx].Revents != 0) ReadInto(ref _stdout, ChildStream.StandardOutput);
        if (errIdx >= 0 && fds[errIdx].Revents != 0) ReadInto(ref _stderr, ChildStream.StandardError);
        if (inIdx >= 0 && fds[inIdx].Revents != 0)
        {
            lock (_inputGate) WriteInput();
        }
        if (pidIdx >= 0 && (fds[pidIdx].Revents & ProcessApi.POLLIN) != 0)
        {
            _exitedAt = _clock.ElapsedMilliseconds;
            Duration = _clock.Elapsed;
            _tree.KillAll(); // whatever the child left behind
        }
        return true;
    }

    private static ProcessApi.PollFd Poll(int fd, short events) => new() { Fd = fd, Events = events };

    // Marks this thread as about to poll and returns stdin if input waits for it, referenced so that
    // another thread closing it meanwhile cannot let its descriptor number be reused under the poll.
    // Without the gate while nothing waits, the common case: a sender writing to the child (which
    // holds it across the write) then never holds up the thread reading the child's answer.
    private SafeDescriptorHandle? WatchInput()
    {
        Volatile.Write(ref _pollingThread, Environment.CurrentManagedThreadId);
        // Paired with the barrier in TryWriteInput: input left there is seen here, or this thread is woken.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _pendingInputBytes) == 0) return null;
        lock (_inputGate)
        {
            if (_stdin is null || _input.Count == 0) return null;
            bool added = false;
            _stdin.DangerousAddRef(ref added);
            return _stdin;
        }
    }

    private void DrainWake()
    {
        ulong value;
        ProcessApi.Read(_wake.Fd, (byte*)&value, sizeof(ulong));
    }

    private void ReadInto(ref SafeDescriptorHandle? pipe, ChildStream stream)
    {
        // A full read (the bulk case) hands out the very array it read into, never copied; a short
        // one (a line or a few) is copied out of a pooled one, so a chatty child does not cost a
        // fresh 64 KiB array per read.
        byte[] buffer = ReadBuffers.Rent(ChunkBytes);
        nint got;
        fixed (byte* p = buffer) got = ProcessApi.Read(pipe!.Fd, p, ChunkBytes);
        int errno = got < 0 ? Marshal.GetLastPInvokeError() : 0;
        if (got == ChunkBytes)
        {
            if (!_grown) GrowForBulkOutput(pipe);
            _ready.Enqueue(new OutputChunk(stream, buffer, ChunkBytes));
            return;
        }
        if (got > 0) _ready.Enqueue(new OutputChunk(stream, buffer.AsSpan(0, (int)got).ToArray(), (int)got));
        ReadBuffers.Return(buffer);
        if (got > 0 || errno is ProcessApi.EAGAIN or ProcessApi.EINTR) return;
        pipe.Dispose();
        pipe = null;
    }

    // A child that fills a whole read is a bulk producer: bigger pipe, bigger reads, fewer wakeups.
    // Only then, since large pipes count against the user's pipe memory limit.
    private void GrowForBulkOutput(SafeDescriptorHandle pipe)
    {
        FileDescriptors.TryGrowPipe(pipe, PipeBytes);
        _grown = true;
    }

    // Called with _inputGate held.
    private void WriteInput()
    {
        while (_stdin is not null && _input.TryPeek(out byte[]? data))
        {
            if (!Write(data.AsSpan(_inputOffset), out int written)) return;
            _pendingInputBytes -= written;
            _inputOffset += written;
            if (_inputOffset < data.Length) return;
            _input.Dequeue();
            _inputOffset = 0;
        }
        if (_closeInput && _input.Count == 0) CloseStdin();
    }

    // Called with _inputGate held: writes what the pipe takes now. False once the child stopped
    // reading (EPIPE): stdin is closed, and what it did not read, queued or not, is dropped.
    private bool Write(ReadOnlySpan<byte> data, out int written)
    {
        written = 0;
        while (written < data.Length)
        {
            nint wrote;
            fixed (byte* p = data) wrote = ProcessApi.Write(_stdin!.Fd, p + written, (nuint)(data.Length - written));
            if (wrote >= 0)
            {
                written += (int)wrote;
                continue;
            }
            if (Marshal.GetLastPInvokeError() is ProcessApi.EAGAIN or ProcessApi.EINTR) return true;
            _input.Clear();
            _pendingInputBytes = 0;
            _inputOffset = 0;
            CloseStdin();
            return false;
        }
        return true;
    }

    private void CloseStdin()
    {
        _stdin?.Dispose();
        _stdin = null;
    }

    /// <summary>
    /// Closes the pipes and reaps the child (killing the run first if it still runs), then ends
    /// what it left behind and waits, for a while, until all of it is gone.
    /// </summary>
    private void Finish()
    {
        lock (_inputGate) CloseStdin();
        _stdout?.Dispose();
        _stderr?.Dispose();
        _stdout = _stderr = null;
        if (_exitedAt < 0) _tree.KillAll();
        ExitStatus = _tree.Reap();
        _reaped = true;
        if (_exitedAt < 0)
        {
            _exitedAt = _clock.ElapsedMilliseconds;
            Duration = _clock.Elapsed;
        }
        _tree.KillAll();
        _tree.WaitUntilGone(ExitGraceMilliseconds);
    }
}
