using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// A child process confined by Landlock from its first instruction. One pump thread per child
/// moves its output into a bounded queue, feeds its standard input, notices its exit, kills
/// what is left of its process group and reaps it. Dispose kills and reaps whatever still runs.
/// </summary>
public sealed unsafe class SandboxedProcess : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private const int MaxQueuedChunks = 64;
    private const int MaxPendingInputBytes = 1 << 20;
    private const int ExitGraceMilliseconds = 2000;

    private readonly SafePidfdHandle _pidfd;
    private readonly SafeDescriptorHandle _wake;
    private readonly SafeDescriptorHandle? _stdin;
    private readonly SafeDescriptorHandle _stdout;
    private readonly SafeDescriptorHandle _stderr;
    private readonly BlockingCollection<OutputChunk> _output = new();
    private readonly ConcurrentQueue<byte[]> _input = new();
    private readonly object _gate = new();
    private readonly Stopwatch _clock;
    private readonly Thread _pump;
    private int _queuedChunks;
    private int _pendingInputBytes;
    private volatile bool _closeInput;
    private volatile bool _abandon;
    private bool _reaped;
    private bool _disposed;

    private SandboxedProcess(int pid, SafePidfdHandle pidfd, SafeDescriptorHandle? stdin, SafeDescriptorHandle stdout,
        SafeDescriptorHandle stderr, LandlockEnforcementReport enforcement, Stopwatch clock)
    {
        ProcessId = pid;
        _pidfd = pidfd;
        _stdin = stdin;
        _stdout = stdout;
        _stderr = stderr;
        _clock = clock;
        Enforcement = enforcement;
        StartTime = DateTimeOffset.Now;
        _wake = FileDescriptors.EventFd();
        foreach (SafeDescriptorHandle? pipe in new[] { stdin, stdout, stderr })
        {
            if (pipe is not null) FileDescriptors.SetNonBlocking(pipe);
        }
        _pump = new Thread(Pump, 256 * 1024) { IsBackground = true, Name = $"LandlockPS pump {pid}" };
        _pump.UnsafeStart();
    }

    public int ProcessId { get; }

    public DateTimeOffset StartTime { get; }

    /// <summary>What the kernel enforces of the ruleset for this child.</summary>
    public LandlockEnforcementReport Enforcement { get; }

    /// <summary>How the child ended; null while it runs (or if another reaper took it).</summary>
    public SandboxExitStatus? ExitStatus { get; private set; }

    /// <summary>From the spawn to the exit, or until now while it runs.</summary>
    public TimeSpan Duration { get; private set; }

    public bool HasExited => ExitStatus is not null;

    /// <summary>True once every output chunk has been taken and the child has been reaped.</summary>
    public bool IsOutputCompleted => _output.IsCompleted;

    /// <summary>Compiles the ruleset, confines a new thread with it, spawns the child from that thread.</summary>
    public static SandboxedProcess Start(SandboxStartInfo info, LandlockRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(ruleset);
        LaunchChecks.Validate(info);
        using CompiledRuleset compiled = RulesetCompiler.Compile(ruleset);
        LaunchChecks.RequireEnforcement(compiled.Report, info.AllowUnconfined);

        SafeDescriptorHandle? stdinRead = null, stdinWrite = null, stdoutRead = null, stdoutWrite = null, stderrRead = null, stderrWrite = null;
        try
        {
            if (info.RedirectStandardInput) (stdinRead, stdinWrite) = FileDescriptors.Pipe();
            else stdinRead = FileDescriptors.OpenDevNull();
            (stdoutRead, stdoutWrite) = FileDescriptors.Pipe();
            (stderrRead, stderrWrite) = FileDescriptors.Pipe();

            var clock = Stopwatch.StartNew();
            int pid = LaunchPad.Spawn(info, compiled, stdinRead.Fd, stdoutWrite.Fd, stderrWrite.Fd);
            // The child holds its own copies now; ours would keep its pipes open after it exits.
            stdinRead.Dispose();
            stdoutWrite.Dispose();
            stderrWrite.Dispose();
            SafePidfdHandle pidfd;
            try
            {
                pidfd = FileDescriptors.PidfdOpen(pid);
            }
            catch
            {
                ProcessApi.Kill(-pid, ProcessApi.SIGKILL);
                ProcessApi.SigInfo lost;
                ProcessApi.WaitId(0 /* P_PID */, pid, &lost, ProcessApi.WEXITED);
                throw;
            }
            return new SandboxedProcess(pid, pidfd, stdinWrite, stdoutRead, stderrRead, compiled.Report, clock);
        }
        catch
        {
            foreach (SafeDescriptorHandle? h in new[] { stdinRead, stdinWrite, stdoutRead, stdoutWrite, stderrRead, stderrWrite }) h?.Dispose();
            throw;
        }
    }

    /// <summary>Takes the next output chunk; false on timeout or once the output is complete.</summary>
    public bool TryTakeOutput(out OutputChunk chunk, int millisecondsTimeout, CancellationToken cancellationToken = default)
    {
        if (!_output.TryTake(out chunk, millisecondsTimeout, cancellationToken)) return false;
        // Reading stops while the queue is full; taking a chunk lets the pump read again.
        if (Interlocked.Decrement(ref _queuedChunks) == MaxQueuedChunks - 1) Wake();
        return true;
    }

    /// <summary>
    /// Queues bytes for the child's standard input without blocking. False when a megabyte is already
    /// waiting: drain some output and try again, so a child that writes before it reads never deadlocks.
    /// </summary>
    public bool TryWriteInput(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (_stdin is null || _closeInput) throw new InvalidOperationException("The child's standard input is not a pipe, or it was closed.");
        if (data.Length == 0) return true;
        if (Volatile.Read(ref _pendingInputBytes) > 0 && Volatile.Read(ref _pendingInputBytes) + data.Length > MaxPendingInputBytes) return false;
        Interlocked.Add(ref _pendingInputBytes, data.Length);
        _input.Enqueue(data);
        Wake();
        return true;
    }

    /// <summary>Closes the child's standard input once everything queued has been written.</summary>
    public void CloseInput()
    {
        _closeInput = true;
        Wake();
    }

    /// <summary>Kills the child's whole process group (SIGKILL). Safe to call at any time, from any thread.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            // Until the child is reaped its pid, and so its group id, cannot be reused.
            if (!_reaped) ProcessApi.Kill(-ProcessId, ProcessApi.SIGKILL);
        }
        Wake();
    }

    /// <summary>Waits until the child is reaped and its output read to the end (or abandoned).</summary>
    public bool WaitForExit(int millisecondsTimeout = Timeout.Infinite) => _pump.Join(millisecondsTimeout);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Kill();
        _abandon = true;
        Wake();
        _pump.Join();
        _wake.Dispose();
        _pidfd.Dispose();
        _output.Dispose();
    }

    private void Wake()
    {
        ulong one = 1;
        bool added = false;
        try
        {
            _wake.DangerousAddRef(ref added);
            ProcessApi.Write(_wake.Fd, (byte*)&one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
            // The pump has finished; nothing to wake.
        }
        finally
        {
            if (added) _wake.DangerousRelease();
        }
    }

    private void Pump()
    {
        var state = new PumpState(_stdin, _stdout, _stderr);
        try
        {
            PumpLoop(state);
        }
        finally
        {
            state.CloseAll();
            Reap(state.Exited);
            _output.CompleteAdding();
        }
    }

    private void PumpLoop(PumpState state)
    {
        ProcessApi.PollFd* fds = stackalloc ProcessApi.PollFd[5];
        long exitedAt = 0;
        while (!_abandon)
        {
            bool room = Volatile.Read(ref _queuedChunks) < MaxQueuedChunks;
            if (state.Exited && state.Out is null && state.Err is null) return;
            state.CloseInputIfDone(_closeInput, _input);

            int n = 0, outIdx = -1, errIdx = -1, inIdx = -1, pidIdx = -1;
            if (room && state.Out is not null) { outIdx = n; fds[n++] = Poll(state.Out.Fd, ProcessApi.POLLIN); }
            if (room && state.Err is not null) { errIdx = n; fds[n++] = Poll(state.Err.Fd, ProcessApi.POLLIN); }
            if (state.In is not null && state.HasInput(_input)) { inIdx = n; fds[n++] = Poll(state.In.Fd, ProcessApi.POLLOUT); }
            if (!state.Exited) { pidIdx = n; fds[n++] = Poll(_pidfd.Fd, ProcessApi.POLLIN); }
            int wakeIdx = n;
            fds[n++] = Poll(_wake.Fd, ProcessApi.POLLIN);

            // After the exit, wait a little for output still in flight, then give up on pipes held
            // open by something that escaped the process group.
            int timeout = state.Exited && room ? Math.Max(0, ExitGraceMilliseconds - (int)(_clock.ElapsedMilliseconds - exitedAt)) : -1;
            int rc = ProcessApi.Poll(fds, (nuint)n, timeout);
            if (rc < 0)
            {
                if (Marshal.GetLastPInvokeError() == ProcessApi.EINTR) continue;
                return;
            }
            if (rc == 0 && state.Exited) return;

            if ((fds[wakeIdx].Revents & ProcessApi.POLLIN) != 0) DrainWake();
            if (outIdx >= 0 && fds[outIdx].Revents != 0) ReadInto(ref state.Out, ChildStream.StandardOutput);
            if (errIdx >= 0 && fds[errIdx].Revents != 0) ReadInto(ref state.Err, ChildStream.StandardError);
            if (inIdx >= 0 && fds[inIdx].Revents != 0) WriteInput(state);
            if (pidIdx >= 0 && (fds[pidIdx].Revents & ProcessApi.POLLIN) != 0)
            {
                state.Exited = true;
                exitedAt = _clock.ElapsedMilliseconds;
                Duration = _clock.Elapsed;
                Kill(); // whatever the child left behind in its group
            }
        }
    }

    private static ProcessApi.PollFd Poll(int fd, short events) => new() { Fd = fd, Events = events };

    private void DrainWake()
    {
        ulong value;
        ProcessApi.Read(_wake.Fd, (byte*)&value, sizeof(ulong));
    }

    private void ReadInto(ref SafeDescriptorHandle? pipe, ChildStream stream)
    {
        byte[] buffer = new byte[ChunkSize];
        nint got;
        fixed (byte* p = buffer) got = ProcessApi.Read(pipe!.Fd, p, (nuint)buffer.Length);
        if (got > 0)
        {
            Interlocked.Increment(ref _queuedChunks);
            _output.Add(new OutputChunk(stream, buffer, (int)got));
            return;
        }
        if (got < 0 && Marshal.GetLastPInvokeError() is ProcessApi.EAGAIN or ProcessApi.EINTR) return;
        pipe.Dispose();
        pipe = null;
    }

    private void WriteInput(PumpState state)
    {
        while (state.TryPeekInput(_input, out byte[] data, out int offset))
        {
            nint wrote;
            fixed (byte* p = data) wrote = ProcessApi.Write(state.In!.Fd, p + offset, (nuint)(data.Length - offset));
            if (wrote < 0)
            {
                if (Marshal.GetLastPInvokeError() is ProcessApi.EAGAIN or ProcessApi.EINTR) return;
                // EPIPE: the child stopped reading. What it did not read is dropped.
                state.CloseInput();
                _closeInput = true;
                while (_input.TryDequeue(out _)) { }
                Volatile.Write(ref _pendingInputBytes, 0);
                return;
            }
            Interlocked.Add(ref _pendingInputBytes, -(int)wrote);
            state.Advance(_input, (int)wrote);
        }
    }

    private void Reap(bool exited)
    {
        ProcessApi.SigInfo info;
        int rc;
        lock (_gate)
        {
            if (!exited) ProcessApi.Kill(-ProcessId, ProcessApi.SIGKILL);
            do
            {
                rc = ProcessApi.WaitId(ProcessApi.P_PIDFD, _pidfd.Fd, &info, ProcessApi.WEXITED);
            }
            while (rc < 0 && Marshal.GetLastPInvokeError() == ProcessApi.EINTR);
            _reaped = true;
        }
        if (!exited) Duration = _clock.Elapsed;
        ExitStatus = rc != 0
            ? new SandboxExitStatus(null, null)
            : info.Code == ProcessApi.CLD_EXITED ? new SandboxExitStatus(info.Status, null) : new SandboxExitStatus(null, info.Status);
    }

    /// <summary>The pump thread's own view of the pipes and the input being written.</summary>
    private sealed class PumpState(SafeDescriptorHandle? input, SafeDescriptorHandle output, SafeDescriptorHandle error)
    {
        public SafeDescriptorHandle? In = input;
        public SafeDescriptorHandle? Out = output;
        public SafeDescriptorHandle? Err = error;
        public bool Exited;
        private int _offset;

        public bool HasInput(ConcurrentQueue<byte[]> queue) => !queue.IsEmpty;

        public bool TryPeekInput(ConcurrentQueue<byte[]> queue, out byte[] data, out int offset)
        {
            offset = _offset;
            return queue.TryPeek(out data!);
        }

        public void Advance(ConcurrentQueue<byte[]> queue, int written)
        {
            _offset += written;
            if (queue.TryPeek(out byte[]? head) && _offset >= head.Length)
            {
                queue.TryDequeue(out _);
                _offset = 0;
            }
        }

        public void CloseInputIfDone(bool closeRequested, ConcurrentQueue<byte[]> queue)
        {
            if (closeRequested && queue.IsEmpty) CloseInput();
        }

        public void CloseInput()
        {
            In?.Dispose();
            In = null;
        }

        public void CloseAll()
        {
            CloseInput();
            Out?.Dispose();
            Err?.Dispose();
            Out = Err = null;
        }
    }
}
