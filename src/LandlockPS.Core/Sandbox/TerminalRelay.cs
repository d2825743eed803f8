using System;
using System.Runtime.InteropServices;
using System.Threading;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// Relays the caller's terminal to a child's private pseudo-terminal, on a thread of its own:
/// keystrokes in (the caller's terminal in raw mode, so Ctrl+C and Ctrl+Z reach the child's own line
/// discipline), output out as it came but for the few commands a terminal would carry out on the
/// caller's machine beyond the screen (see <see cref="TerminalOutputFilter"/>), and the window size along (on SIGWINCH, and checked twice a
/// second besides). Input is read only while the relay runs: once it stops, nothing more is taken
/// from the caller's terminal. Without a terminal on the caller's input, only output is relayed.
/// </summary>
public sealed unsafe class TerminalRelay : IDisposable
{
    private const int ChunkBytes = 16 * 1024;
    private const int SizeCheckMilliseconds = 500;
    // At the end: output still in flight is taken until the terminal has been quiet this long, or
    // until the limit, whatever escaped the child keeps writing.
    private const int DrainQuietMilliseconds = 100;
    private const int DrainLimitMilliseconds = 2000;

    private readonly PseudoTerminal _terminal;
    private readonly int _input;
    private readonly int _output;
    private readonly RawTerminalMode? _raw;
    private readonly SafeDescriptorHandle _control;
    private readonly PosixSignalRegistration? _resized;
    private readonly Thread _thread;
    private readonly byte[] _pending = new byte[ChunkBytes];
    private readonly TerminalOutputFilter _filter = new();
    private readonly Action? _failed;
    private int _pendingStart;
    private int _pendingEnd;
    private (ushort Rows, ushort Columns) _size;
    private bool _replicaClosed;
    private bool _outputBroken;
    private volatile bool _stopping;
    private int _disposed;

    private TerminalRelay(PseudoTerminal terminal, int input, int output, Action? failed)
    {
        _terminal = terminal;
        _failed = failed;
        _input = input;
        _output = output;
        _size = CallerSize(input, output);
        _control = FileDescriptors.EventFd();
        try
        {
            FileDescriptors.SetNonBlocking(terminal.Primary);
            _resized = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => Notify());
            _raw = RawTerminalMode.Enter(input);
            _thread = new Thread(Run) { IsBackground = true, Name = "LandlockPS terminal" };
            _thread.Start();
        }
        catch
        {
            _raw?.Dispose();
            _resized?.Dispose();
            _control.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts relaying between the caller's terminal (<paramref name="input"/>, <paramref name="output"/>)
    /// and <paramref name="terminal"/>; <paramref name="failed"/> is called, on the relay's thread, if the relay fails.
    /// </summary>
    public static TerminalRelay Start(PseudoTerminal terminal, int input = 0, int output = 1, Action? failed = null)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        return new TerminalRelay(terminal, input, output, failed);
    }

    /// <summary>Whether keystrokes are relayed: the caller's input is a terminal, now in raw mode.</summary>
    public bool RelaysInput => _raw is not null;

    /// <summary>The caller's window size (its output's, else its input's), or 24x80 when neither is a terminal.</summary>
    public static (ushort Rows, ushort Columns) CallerSize(int input = 0, int output = 1)
    {
        TerminalApi.WinSize size;
        foreach (int fd in new[] { output, input })
        {
            if (TerminalApi.Ioctl(fd, TerminalApi.TIOCGWINSZ, &size) == 0 && size.Rows > 0 && size.Columns > 0) return (size.Rows, size.Columns);
        }
        return (24, 80);
    }

    /// <summary>Takes the output still in flight, stops, and gives the caller's terminal its modes back.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping = true;
        Notify();
        _thread.Join();
        _raw?.Dispose();
        _resized?.Dispose();
        _control.Dispose();
    }

    // A stop, or a SIGWINCH (one may still come after the relay ended: then it changes nothing).
    private void Notify() => FileDescriptors.Notify(_control);

    /// <summary>What ended the relay before its time, if anything did: the run's terminal no longer reaches the caller's.</summary>
    public Exception? Failure { get; private set; }

    // This thread is the caller's pwsh's: a bug of the relay that escaped it would end the caller's
    // shell. It ends the relay instead, and the run is told (Failure).
    private void Run()
    {
        try
        {
            Relay();
        }
        catch (Exception e)
        {
            Failure = e;
            _failed?.Invoke();
        }
    }

    private void Relay()
    {
        int primary = _terminal.Primary.Fd;
        ProcessApi.PollFd* fds = stackalloc ProcessApi.PollFd[3];
        while (!_stopping)
        {
            int n = 0, primaryIdx = -1, inputIdx = -1;
            bool pendingInput = _pendingEnd > _pendingStart;
            if (!_replicaClosed || pendingInput)
            {
                primaryIdx = n;
                fds[n++] = new ProcessApi.PollFd { Fd = primary, Events = (short)((_replicaClosed ? 0 : ProcessApi.POLLIN) | (pendingInput ? ProcessApi.POLLOUT : 0)) };
            }
            // Keystrokes are read only as fast as the child takes them, and only while it can.
            if (_raw is not null && !pendingInput && !_replicaClosed) { inputIdx = n; fds[n++] = new ProcessApi.PollFd { Fd = _input, Events = ProcessApi.POLLIN }; }
            int controlIdx = n;
            fds[n++] = new ProcessApi.PollFd { Fd = _control.Fd, Events = ProcessApi.POLLIN };

            int rc = ProcessApi.Poll(fds, (nuint)n, SizeCheckMilliseconds);
            if (rc < 0 && Marshal.GetLastPInvokeError() != ProcessApi.EINTR) break;
            if (rc > 0 && (fds[controlIdx].Revents & ProcessApi.POLLIN) != 0)
            {
                ulong value;
                ProcessApi.Read(_control.Fd, (byte*)&value, sizeof(ulong));
            }
            if (_stopping) break;
            FollowWindowSize();
            if (rc <= 0) continue;
            if (primaryIdx >= 0 && fds[primaryIdx].Revents != 0)
            {
                if ((fds[primaryIdx].Revents & ProcessApi.POLLOUT) != 0) WritePendingInput(primary);
                if ((fds[primaryIdx].Revents & ~ProcessApi.POLLOUT) != 0) CopyOutput(primary);
            }
            if (inputIdx >= 0 && fds[inputIdx].Revents != 0) ReadInput(primary);
        }
        Drain(primary);
    }

    private void FollowWindowSize()
    {
        (ushort Rows, ushort Columns) size = CallerSize(_input, _output);
        if (size == _size) return;
        _size = size;
        _terminal.Resize(size.Rows, size.Columns);
    }

    // What the child wrote to its terminal, to the caller's screen. EIO: no one holds the replica
    // any more (the child and all it started are gone), and all it wrote has been read.
    private void CopyOutput(int primary)
    {
        byte* buffer = stackalloc byte[ChunkBytes];
        byte* shown = stackalloc byte[ChunkBytes + TerminalOutputFilter.MaxHeldBytes];
        nint got = ProcessApi.Read(primary, buffer, ChunkBytes);
        if (got > 0) WriteAll(_output, shown, _filter.Filter(new ReadOnlySpan<byte>(buffer, (int)got), new Span<byte>(shown, ChunkBytes + TerminalOutputFilter.MaxHeldBytes)));
        else if (got == 0 || Marshal.GetLastPInvokeError() is not (ProcessApi.EAGAIN or ProcessApi.EINTR)) _replicaClosed = true;
    }

    private void ReadInput(int primary)
    {
        fixed (byte* buffer = _pending)
        {
            nint got = ProcessApi.Read(_input, buffer, (nuint)_pending.Length);
            if (got <= 0) return;
            _pendingStart = 0;
            _pendingEnd = (int)got;
            WritePendingInput(primary);
        }
    }

    private void WritePendingInput(int primary)
    {
        fixed (byte* buffer = _pending)
        {
            nint wrote = ProcessApi.Write(primary, buffer + _pendingStart, (nuint)(_pendingEnd - _pendingStart));
            if (wrote > 0) _pendingStart += (int)wrote;
            // The child is gone for good: what it did not take is dropped.
            else if (wrote < 0 && Marshal.GetLastPInvokeError() is not (ProcessApi.EAGAIN or ProcessApi.EINTR)) _pendingStart = _pendingEnd;
        }
    }

    private void Drain(int primary)
    {
        long limit = Environment.TickCount64 + DrainLimitMilliseconds;
        ProcessApi.PollFd fd = new() { Fd = primary, Events = ProcessApi.POLLIN };
        while (!_replicaClosed && Environment.TickCount64 < limit)
        {
            fd.Revents = 0;
            int wait = (int)Math.Min(DrainQuietMilliseconds, limit - Environment.TickCount64);
            if (ProcessApi.Poll(&fd, 1, Math.Max(wait, 0)) <= 0) return;
            CopyOutput(primary);
        }
    }

    private void WriteAll(int fd, byte* data, nint count)
    {
        while (count > 0 && !_outputBroken)
        {
            nint wrote = ProcessApi.Write(fd, data, (nuint)count);
            if (wrote > 0)
            {
                data += wrote;
                count -= wrote;
                continue;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == ProcessApi.EINTR) continue;
            if (errno == ProcessApi.EAGAIN)
            {
                ProcessApi.PollFd writable = new() { Fd = fd, Events = ProcessApi.POLLOUT };
                ProcessApi.Poll(&writable, 1, SizeCheckMilliseconds);
                continue;
            }
            _outputBroken = true; // the caller's terminal is gone: the child's output goes nowhere
        }
    }
}
