using System;
using System.Collections.Concurrent;
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
/// PSRP over a confined child pwsh's stdin/stdout. One thread services the child: it writes the
/// protocol lines PowerShell queues, and hands every line the child prints back to PowerShell.
/// The child's stderr is never part of the protocol; its tail goes into error messages.
/// </summary>
internal sealed class SandboxTransport : ClientSessionTransportManagerBase
{
    private readonly SandboxConnectionInfo _connection;
    private readonly ConcurrentQueue<byte[]> _outbound = new();
    private PwshSandbox? _sandbox;
    private SandboxedProcess? _process;
    private Thread? _pump;
    private volatile bool _closing;
    private volatile bool _inputClosed;
    private int _disposed;

    internal SandboxTransport(SandboxConnectionInfo connection, Guid runspaceId, PSRemotingCryptoHelper cryptoHelper)
        : base(runspaceId, cryptoHelper)
    {
        _connection = connection;
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
        state.StartInfo = _sandbox.StartInfo;
        state.EndNow = () =>
        {
            // Closed input makes PowerShell's close message fail at once, which it takes as "closed".
            _closing = true;
            _inputClosed = true;
            _process?.Kill();
        };
        _process = SandboxedProcess.Start(_sandbox.StartInfo, _sandbox.Ruleset);
        _sandbox.Home.Attach(_process);
        state.Process = _process;
    }

    /// <summary>After the close handshake: closing stdin lets the server exit on its own.</summary>
    protected override void CleanupConnection()
    {
        _closing = true;
        _inputClosed = true;
        _process?.Wake();
    }

    protected override void Dispose(bool isDisposing)
    {
        base.Dispose(isDisposing);
        if (!isDisposing || Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _closing = true;
        _process?.Kill();
        _pump?.Join();
        _process?.Dispose();
        _sandbox?.Dispose();
    }

    private void Enqueue(string line)
    {
        if (_inputClosed || _process is null || _process.HasExited)
        {
            // PowerShell takes an IOException from the writer to mean "the transport is closed".
            throw new IOException("The sandboxed pwsh is no longer running.");
        }
        _outbound.Enqueue(Encoding.UTF8.GetBytes(line + "\n"));
        _process.Wake();
    }

    private void Pump()
    {
        SandboxedProcess process = _process!;
        var stdout = new LineDecoder(Encoding.UTF8);
        var stderr = new LineDecoder(Encoding.UTF8);
        byte[]? pending = null;
        bool inputClosedHere = false;
        try
        {
            while (!process.IsOutputCompleted)
            {
                while (!inputClosedHere && (pending ??= Dequeue()) is { } line && process.TryWriteInput(line)) pending = null;
                if (_inputClosed && !inputClosedHere && pending is null && _outbound.IsEmpty)
                {
                    process.CloseInput();
                    inputClosedHere = true;
                }
                if (!process.TryTakeOutput(out OutputChunk chunk, Timeout.Infinite)) continue;
                if (chunk.Stream == ChildStream.StandardOutput)
                {
                    foreach (string line in stdout.Push(chunk.Buffer, chunk.Count)) HandleServerLine(line);
                }
                else
                {
                    foreach (string line in stderr.Push(chunk.Buffer, chunk.Count)) _connection.State.AddStandardError(line);
                }
            }
        }
        catch (Exception e)
        {
            // Whatever happens here must not take the caller's pwsh down: it becomes a broken session.
            process.Kill();
            ReportBroken(e.Message);
            return;
        }
        finally
        {
            // The child is gone (or killed): its private home goes with it.
            _sandbox?.Dispose();
            _connection.State.MarkEnded();
        }
        if (!_closing) ReportBroken(null);
    }

    // A program the block starts shares the server's stdout. What it prints is not protocol and
    // would break the session, and a line it leaves unfinished prefixes the server's next one: keep
    // the protocol element, send the rest to the stderr tail.
    private void HandleServerLine(string line)
    {
        int start = line.StartsWith('<') ? 0 : ProtocolElements.Select(e => line.IndexOf(e, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        if (start > 0) _connection.State.AddStandardError(line[..start]);
        if (start >= 0) HandleOutputDataReceived(line[start..]);
        else _connection.State.AddStandardError(line);
    }

    // The elements of PowerShell's out-of-process protocol (each also has an ...Ack form).
    private static readonly string[] ProtocolElements = ["<Data ", "<DataAck ", "<Command ", "<CommandAck ", "<Close ", "<CloseAck ", "<Signal ", "<SignalAck "];

    private byte[]? Dequeue() => _outbound.TryDequeue(out byte[]? line) ? line : null;

    private void ReportBroken(string? detail)
    {
        // Even when LandlockPS killed the child itself, PowerShell must hear of it: a stop or an
        // invocation in flight waits for the server until the transport reports an error.
        if (_closing) return;
        SandboxSessionState state = _connection.State;
        string ended = _process?.ExitStatus is { } status ? $" ({status})" : string.Empty;
        string why = detail ?? (state.HasStandardError ? $" It wrote:\n{state.StandardErrorTail}" : " It wrote nothing to stderr.");
        var error = new PSRemotingTransportException(
            $"The sandboxed pwsh ended unexpectedly{ended}. If it could not start, its ruleset may be missing something it needs " +
            $"(try without -NoImplicitRules, or see -Verbose for the rules it ran under).{why}");
        // RaiseErrorHandler re-enters the runspace state machine, which may dispose this transport
        // and wait for this thread: raise it from elsewhere.
        Task.Run(() => RaiseErrorHandler(new TransportErrorOccuredEventArgs(error, TransportMethodEnum.ReceiveShellOutputEx)));
    }

    /// <summary>The writer PowerShell sends protocol lines through.</summary>
    private sealed class ProtocolWriter(SandboxTransport transport) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void WriteLine(string? value) => transport.Enqueue(value ?? string.Empty);

        public override void Write(char value) => throw new NotSupportedException("PSRP is written a line at a time.");
    }
}
