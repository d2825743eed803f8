using System;
using System.Buffers;
using System.IO;
using System.Linq;
using System.Management.Automation.Internal;
using System.Management.Automation.Remoting;
using System.Management.Automation.Remoting.Client;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using LandlockPS.Core;
using LandlockPS.Core.Sandbox;

namespace LandlockPS.Remoting;

/// <summary>
/// PSRP over a confined child pwsh's stdin/stdout. PowerShell's sending thread writes each protocol
/// line straight into the child's stdin, as PowerShell's own transport does; one thread services
/// the child: it writes what a full pipe did not take, and hands every line the child prints back
/// to PowerShell, unless the caller's pipeline has fallen behind (<see cref="ReceiveBacklog"/>).
/// The child's stderr is never part of the protocol; its tail goes into error messages.
/// </summary>
internal sealed class SandboxTransport : ClientSessionTransportManagerBase
{
    // How long the child has to answer what a server answers on receipt, as long as a stopped script block has to end.
    private const int AnswerGraceMilliseconds = 5000;
    private readonly SandboxConnectionInfo _connection;
    private readonly ProtocolGuard _guard;
    private readonly ConsolePromptFilter _prompts;
    private readonly IdleHostCalls _idleHostCalls;
    private readonly ProtocolLineSplitter _serverLines = new(ProtocolGuard.MaxLineBytes);
    private readonly LineHandler _onServerLine;
    private readonly AnswerDeadlines _answers;
    private PwshSandbox? _sandbox;
    private SandboxedProcess? _process;
    private Thread? _pump;
    private volatile bool _closing;
    private volatile bool _inputClosed;
    // The close handshake: our Close of the session went out; the server's CloseAck came back.
    private static readonly string SessionClose = $"<Close PSGuid='{Guid.Empty}'";
    private volatile bool _closeSent;
    // Set by WriteHeldBeforeClose on the closing thread, answered by the pump.
    private TaskCompletionSource<string[]>? _heldWanted;
    private volatile bool _closeAcked;
    // The child has written protocol: it started, and opened its end of the session.
    private volatile bool _spoke;
    private int _disposed;
    // The session's runspace pool, which every message of the session names.
    private readonly Guid _pool;

    internal SandboxTransport(SandboxConnectionInfo connection, Guid runspaceId, PSRemotingCryptoHelper cryptoHelper)
        : base(runspaceId, cryptoHelper)
    {
        _connection = connection;
        _pool = runspaceId;
        _guard = new ProtocolGuard(connection.Launch.Limits);
        _prompts = new ConsolePromptFilter(_guard.IsRunning);
        _idleHostCalls = new IdleHostCalls(CallerWaits);
        _onServerLine = HandleServerLine;
        // A child that no longer answers (hung, or hostile) is ended instead, and its session is broken.
        _answers = new AnswerDeadlines(AnswerGraceMilliseconds, _guard.IsUnanswered, what => Break(new LandlockException(
            $"The sandboxed pwsh was ended because it did not answer {what} within {AnswerGraceMilliseconds / 1000} s. The output received before it is kept.",
            errorId: "SandboxNotResponding")));
    }

    public override void CreateAsync()
    {
        try
        {
            Start();
        }
        catch (Exception e)
        {
            _connection.State.StartError = e;
            _connection.State.MarkEnded();
            throw;
        }
        SetMessageWriter(new ProtocolWriter(this));
        _pump = new Thread(Pump) { IsBackground = true, Name = "LandlockPS session" };
        _pump.Start();
        SendOneItem();
    }

    private void Start()
    {
        PwshLaunch launch = _connection.Launch;
        _sandbox = PwshSandbox.Create(launch);
        SandboxSessionState state = _connection.State;
        state.ImplicitRules = _sandbox.ImplicitRules;
        state.LinkedFolders = _sandbox.LinkedFolders;
        state.StartInfo = _sandbox.StartInfo;
        state.RunsCommand = () => _guard.RunningCommands > 0;
        state.EndNow = () =>
        {
            // Closed input makes PowerShell's close message fail at once, which it takes as "closed".
            _closing = true;
            _inputClosed = true;
            state.HostCatchUp.Cancel();
            _process?.Kill();
        };
        _process = SandboxedProcess.Start(_sandbox.StartInfo, _sandbox.Ruleset);
        state.Backlog.Wake = _process.Wake;
        _sandbox.Home.Attach(_process);
        state.Process = _process;
    }

    // The close goes on whatever writing the held text throws: thrown out of here, it leaves
    // Remove-PSSession waiting for good.
    public override void CloseAsync()
    {
        try
        {
            WriteHeldBeforeClose();
        }
        finally
        {
            base.CloseAsync();
        }
    }

    // PowerShell drops everything the session sends once it starts closing it: what the session's
    // own host wrote while the caller did not wait would go with it. The caller waits for the close,
    // so that text is written now, on this thread, through the session's host. Only the pump thread
    // takes what waits: it is asked to, and woken; the wait is bounded as the catch-up's is.
    private void WriteHeldBeforeClose()
    {
        if (!_idleHostCalls.HasHeld || _connection.State.HostUI is not { } ui || _pump is null || _process is not { HasExited: false } process
            || _connection.State.Broken is not null) return;
        var taken = new TaskCompletionSource<string[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _heldWanted = taken;
        long deadline = Environment.TickCount64 + HostCatchUp.MaxWaitMilliseconds;
        do process.Wake();
        while (!taken.Task.Wait(50) && _pump.IsAlive && Environment.TickCount64 < deadline);
        Interlocked.CompareExchange(ref _heldWanted, null, taken);
        if (!taken.Task.IsCompletedSuccessfully) return;
        try
        {
            HeldHostCalls.WriteText(taken.Task.Result, ui);
        }
        catch (Exception e) when (e is IOException or System.Management.Automation.Host.HostException)
        {
            // A host that can no longer write (its terminal gone): the text goes with the session, which still closes.
        }
    }

    // On the pump thread: hands what waits to WriteHeldBeforeClose, if it asks.
    private void HandHeldToClose()
    {
        // A plain read first: this runs once per chunk the child sends, and a close asks once.
        if (Volatile.Read(ref _heldWanted) is not null && Interlocked.Exchange(ref _heldWanted, null) is { } wanted) wanted.TrySetResult([.. _idleHostCalls.Release()]);
    }

    /// <summary>After the close handshake: closing stdin lets the server exit on its own.</summary>
    protected override void CleanupConnection()
    {
        _closeAcked = true;
        _closing = true;
        _inputClosed = true;
        _process?.CloseInput();
    }

    protected override void Dispose(bool isDisposing)
    {
        base.Dispose(isDisposing);
        if (!isDisposing || Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _closing = true;
        _connection.State.HostCatchUp.Cancel();
        _answers.Dispose();
        _process?.Kill();
        _pump?.Join();
        _process?.Dispose();
        _sandbox?.Dispose();
        // Every process of the session is gone: what its ruleset denied is complete.
        _connection.State.Denials?.End();
    }

    // PowerShell writes one line at a time (its writer holds a lock), on its own threads.
    private void Send(string line)
    {
        // PowerShell takes an IOException from the writer to mean "the transport is closed".
        if (_inputClosed || _process is null || _process.HasExited) throw Closed();
        if (line.StartsWith(SessionClose, StringComparison.Ordinal))
        {
            _closeSent = true;
            // PowerShell carries out none of the session's calls once it closes it (it does so too when
            // a call of the session failed): a catch-up waiting for its own would wait its whole bound.
            _connection.State.HostCatchUp.Cancel();
        }
        bool taken;
        SentPacket? sent;
        // A data line is a 32 KB fragment in base64: encoded into a pooled buffer, never a new one on
        // the large-object heap, and read as bytes from there.
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(line) + 1);
        try
        {
            int length = Encoding.UTF8.GetBytes(line, bytes);
            ReadOnlySpan<byte> element = bytes.AsSpan(0, length);
            sent = _guard.Sent(element);
            if (sent is { Kind: PacketKind.Command } command) _connection.State.Jobs?.Sent(command.Guid);
            _prompts.Sent(sent, element);
            _idleHostCalls.Sent(element);
            bytes[length++] = (byte)'\n';
            taken = WriteInput(_process, bytes.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
        if (!taken)
        {
            // PowerShell sends at most a fragment per operation before it waits for the answer: a server
            // with a megabyte of it unread has stopped reading its input.
            Break(new LandlockException(
                "The sandboxed pwsh was ended because it stopped reading PowerShell remoting protocol from its input. The output received before it is kept.",
                errorId: "SandboxProtocolViolation"));
            throw Closed();
        }
        if (sent is { } packet && AwaitedAnswer(packet.Kind) is { } what) _answers.Await(packet, what);
        // The answer must be read even while the child is held back.
        if (_connection.State.Backlog.IsFull) _process.Wake();
    }

    private static bool WriteInput(SandboxedProcess process, ReadOnlySpan<byte> line)
    {
        try
        {
            return process.TryWriteInput(line);
        }
        catch (InvalidOperationException)
        {
            // Closed by the end of the session meanwhile.
            throw Closed();
        }
    }

    // What a server answers at once, on receipt; PowerShell waits for the answer to a command
    // without end (a stop, Ctrl+C, waits for it too), for a stop without end, and a minute for a close.
    private static string? AwaitedAnswer(PacketKind kind) => kind switch
    {
        PacketKind.Command => "a new command",
        PacketKind.Signal => "a stop",
        PacketKind.Close => "a close",
        _ => null,
    };

    private static IOException Closed() => new("The sandboxed pwsh is no longer running.");

    private void Pump()
    {
        SandboxedProcess process = _process!;
        var stderr = new LineDecoder(Encoding.UTF8, SandboxSessionState.MaxStandardErrorLineChars);
        try
        {
            while (!process.IsOutputCompleted)
            {
                HandHeldToClose();
                if (IsHeldBack(process))
                {
                    process.Service(Timeout.Infinite);
                    continue;
                }
                if (!process.TryTakeOutput(out OutputChunk chunk, Timeout.Infinite)) continue;
                if (chunk.Stream == ChildStream.StandardOutput)
                {
                    if (!_serverLines.Push(chunk.Buffer.AsSpan(0, chunk.Count), _onServerLine)) Break(new LandlockException(
                        $"The sandboxed pwsh was ended because it wrote a line longer than {ProtocolGuard.MaxLineBytes >> 20} MiB, which is not PowerShell remoting protocol. The output received before it is kept.",
                        errorId: "SandboxProtocolViolation"));
                }
                else
                {
                    foreach (string line in stderr.Push(chunk.Buffer, chunk.Count)) _connection.State.AddStandardError(line);
                }
            }
            // What its own host wrote last, while no command of the caller's ran, is not lost with it
            // if the caller waits for the session (a command, or its close). Else the child chose to
            // end while the caller types: shown now, it would land in the line being typed.
            if (_connection.State.Broken is null && (_closeSent || CallerWaits())) HandHeld();
        }
        catch (Exception e)
        {
            // Whatever happens here must not take the caller's pwsh down: it becomes a broken session,
            // as when the child breaks the protocol. PowerShell answers the error by closing: a close
            // written to a child no thread reads any more is never answered, and the command the
            // caller waits for (the console host's prompt) would wait without end.
            Break(new LandlockException(
                $"The sandboxed pwsh was ended because LandlockPS failed on what it sent: {HostText.Plain(e.Message)} The output received before it is kept.",
                errorId: "SandboxProtocolViolation"));
            return;
        }
        finally
        {
            // The child is gone (or killed): its private home goes with it.
            _sandbox?.Dispose();
            _serverLines.Release();
            _connection.State.MarkEnded();
        }
        // Gone with our Close unanswered: PowerShell would wait a minute for the answer. End the close now.
        if (_closeSent && !_closeAcked) RaiseError(new PSRemotingTransportException("The sandboxed pwsh ended before it answered the close."), TransportMethodEnum.CloseShellOperationEx);
        else if (!_closing) ReportBroken(null);
    }

    // While the caller's pipeline is behind, the child waits on its full pipe; not once it has
    // ended (what is left in the pipe must be read before it closes), nor while PowerShell waits
    // for an answer (a stop, a close), which would otherwise never come.
    private bool IsHeldBack(SandboxedProcess process) =>
        _connection.State.Backlog.IsFull && !process.HasExited && !_guard.AwaitsAnswer;

    // A program the block starts shares the server's stdout. What it prints is not protocol and
    // would break the session, and a line it leaves unfinished prefixes the server's next one: keep
    // the protocol element, send the rest to the stderr tail.
    private void HandleServerLine(ReadOnlySpan<byte> line)
    {
        if (_connection.State.Broken is not null) return;
        int start = line.StartsWith((byte)'<') ? 0 : ProtocolElementStart(line);
        if (start > 0) _connection.State.AddStandardError(Encoding.UTF8.GetString(line[..start]));
        if (start < 0)
        {
            _connection.State.AddStandardError(Encoding.UTF8.GetString(line));
            return;
        }
        ReadOnlySpan<byte> element = line[start..];
        _spoke = true;
        // Asked before the guard forgets a command that ends here; asked only when something waits.
        bool waitedBefore = _idleHostCalls.HasHeld && CallerWaits();
        try
        {
            if (!_guard.Check(element)) return;
        }
        catch (LandlockException violation)
        {
            Break(violation);
            return;
        }
        // The guard passed nothing but ASCII.
        string? passed = _prompts.TryRewrite(element, out string? rewritten) ? rewritten : Encoding.ASCII.GetString(element);
        if (passed is null) return;
        PacketKind? ack = ProtocolElement.TryParseAck(element, out PacketKind kind, out Guid guid) ? kind : null;
        // The caller waits for the session again: what its own host wrote meanwhile comes first.
        if (_idleHostCalls.Releases(ack, guid, waitedBefore)) HandHeld();
        try
        {
            if (_idleHostCalls.Hold(element, passed)) return;
        }
        catch (LandlockException flood)
        {
            Break(flood);
            return;
        }
        // A command's end: the caller's prompt comes next.
        if (ack == PacketKind.Close && guid != Guid.Empty && !CatchUp()) return;
        Hand(passed);
    }

    // Waits, before a command's end reaches PowerShell, until the caller's host has carried out
    // the session's own host calls handed on before it (see HostCatchUp). Not for the session's own
    // close: PowerShell stops carrying out its calls once it sends it. Returns whether to go on.
    private bool CatchUp()
    {
        HostCatchUp catchUp = _connection.State.HostCatchUp;
        if (!_idleHostCalls.TakeCallsHanded() || !catchUp.Enabled || _closeSent) return true;
        // The child's answers wait in its pipe meanwhile: it is not late.
        _answers.Pause();
        try
        {
            HandleOutputDataReceived(catchUp.NextMarker(_pool));
            catchUp.Await();
        }
        finally
        {
            _answers.Resume();
        }
        return true;
    }

    // Whether the caller waits for a command of its own in the session now: one runs that its shell
    // waits for (not a job, nor one another runspace sent), while it does not type.
    private bool CallerWaits() => _guard.RunningCommands > (_connection.State.Jobs?.Running(_guard.IsRunning) ?? 0);

    private void HandHeld()
    {
        foreach (string held in _idleHostCalls.Release()) Hand(held);
    }

    private void Hand(string element)
    {
        _connection.State.Backlog.Handed(element.Length);
        HandleOutputDataReceived(element);
    }

    private static int ProtocolElementStart(ReadOnlySpan<byte> line)
    {
        int start = -1;
        foreach (byte[] tag in ProtocolElements)
        {
            int at = line.IndexOf(tag);
            if (at >= 0 && (start < 0 || at < start)) start = at;
        }
        return start;
    }

    /// <summary>Ends a session whose child broke the protocol or its limits: killed at once, and PowerShell told why.</summary>
    private void Break(LandlockException reason)
    {
        SandboxSessionState state = _connection.State;
        if (state.Broken is not null) return;
        state.Broken = reason;
        // Nothing more goes to it: a close PowerShell sends now fails at once, which it takes as closed.
        _inputClosed = true;
        _process?.Kill();
        bool marked = HandCommandMarkers();
        if (!marked) state.HostCatchUp.Cancel();
        RaiseError(new PSRemotingTransportException(reason.Message), TransportMethodEnum.ReceiveShellOutputEx, afterCatchUp: marked);
    }

    // PowerShell reads a command's data on threads of its own, and drops what it has not read once
    // the session fails: the error alone would lose output handed on just before it. A marker after
    // each running command's data tells when the caller has it all. Not once the session closes:
    // PowerShell carries out no more of its calls; nor while a job runs in it: a job's host calls
    // wait for Receive-Job. Returns whether it handed any.
    private bool HandCommandMarkers()
    {
        HostCatchUp catchUp = _connection.State.HostCatchUp;
        if (!catchUp.Enabled || _closeSent || (_connection.State.Jobs?.Running(_guard.IsRunning) ?? 0) > 0) return false;
        Guid[] commands = _guard.RunningCommandIds;
        foreach (Guid command in commands) HandleOutputDataReceived(catchUp.NextMarker(_pool, command));
        return commands.Length > 0;
    }

    // The elements of PowerShell's out-of-process protocol (each also has an ...Ack form).
    private static readonly byte[][] ProtocolElements = [.. new[] { "<Data ", "<DataAck ", "<Command ", "<CommandAck ", "<Close ", "<CloseAck ", "<Signal ", "<SignalAck " }.Select(Encoding.ASCII.GetBytes)];

    private void ReportBroken(string? detail)
    {
        // Even when LandlockPS killed the child itself, PowerShell must hear of it: a stop or an
        // invocation in flight waits for the server until the transport reports an error. Broken,
        // it hears why from Break, perhaps not yet.
        if (_closing || _connection.State.Broken is not null) return;
        SandboxSessionState state = _connection.State;
        string ended = _process?.ExitStatus is { } status ? $" ({status})" : string.Empty;
        string why = detail ?? (state.HasStandardError ? $" It wrote:\n{state.StandardErrorTail}" : " It wrote nothing to stderr.");
        // A child that spoke the protocol had started: what ended it was the code it ran, or a crash.
        string cause = _spoke
            ? "It had started: the code it ran ended its process ([Environment]::Exit, a signal), or it crashed, perhaps loading something its ruleset denies (see -Verbose for the rules it ran under)."
            : "If it could not start, its ruleset may be missing something it needs (try without -NoImplicitRules, or see -Verbose for the rules it ran under)." +
              (state.LinkedFolders.Count == 0 ? string.Empty : $" These folders got no implicit rule: {string.Join(", ", state.LinkedFolders)}, {SandboxSessionState.LinkedFolderText}.");
        var error = new PSRemotingTransportException($"The sandboxed pwsh ended unexpectedly{ended}. {cause}{why}");
        RaiseError(error, TransportMethodEnum.ReceiveShellOutputEx);
    }

    // RaiseErrorHandler re-enters the runspace state machine, which may dispose this transport and
    // wait for this thread: raise it from elsewhere. After a catch-up, once the caller's host has
    // carried out the markers handed before (bounded, and not past the session's end).
    private void RaiseError(PSRemotingTransportException error, TransportMethodEnum during, bool afterCatchUp = false)
    {
        _connection.State.TransportFailed = true;
        HostCatchUp catchUp = _connection.State.HostCatchUp;
        Task.Run(() =>
        {
            if (afterCatchUp)
            {
                catchUp.Await();
                catchUp.Cancel();
            }
            RaiseErrorHandler(new TransportErrorOccuredEventArgs(error, during));
        });
    }

    /// <summary>The writer PowerShell sends protocol lines through.</summary>
    private sealed class ProtocolWriter(SandboxTransport transport) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void WriteLine(string? value) => transport.Send(value ?? string.Empty);

        public override void Write(char value) => throw new NotSupportedException("PSRP is written a line at a time.");
    }
}
