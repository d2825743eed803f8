using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;
using LandlockPS.Core.Sandbox;

namespace LandlockPS.Remoting;

/// <summary>
/// A script block run in a confined child pwsh over PSRP. Output and every stream arrive on
/// PowerShell's threads and are written back on the cmdlet's own pipeline thread, in order, so they
/// reach the caller's streams as if the block had run in place.
/// </summary>
internal sealed class ScriptBlockRun : ISandboxRun
{
    private const int ServerClosedExitCode = 4000 & 0xFF;
    // Each stream's preference variable and the common parameter that overrides it for one call.
    private static readonly (string Variable, string Parameter)[] Preferences =
    [
        ("VerbosePreference", "Verbose"), ("DebugPreference", "Debug"), ("WarningPreference", "WarningAction"),
        ("InformationPreference", "InformationAction"), ("ProgressPreference", "ProgressAction"),
    ];

    private readonly PSCmdlet _cmdlet;
    private readonly Runspace _runspace;
    private readonly SandboxSessionState _state;
    private readonly PowerShell _powershell;
    private readonly PSDataCollection<PSObject> _input = new();
    private readonly PSDataCollection<PSObject> _output = new();
    private readonly BlockingCollection<Action?> _pending = new();
    // Done once nothing more in _pending will be written: the block ended, a stop was asked for, or the run is over.
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _passThru;
    private SandboxHost _host = null!;
    private bool _outputToHost;
    private LandlockRuleset? _explainAgainst;
    private readonly int _stopGraceMilliseconds;
    private readonly CancellationToken _stopping;
    private readonly Timer? _deadline;
    private IAsyncResult? _invocation;
    private Timer? _killAfterStop;
    private volatile bool _timedOut;
    private volatile bool _stopped;
    private volatile bool _killedAfterGrace;
    private volatile bool _disposed;
    private bool _ended;
    private int _settled;
    private int _brokenReported;

    private ScriptBlockRun(PSCmdlet cmdlet, Runspace runspace, SandboxSessionState state, bool passThru, int timeoutSec, int killAfterSec, CancellationToken stopping)
    {
        _cmdlet = cmdlet;
        _runspace = runspace;
        _state = state;
        _passThru = passThru;
        _stopGraceMilliseconds = killAfterSec * 1000;
        _stopping = stopping;
        _powershell = PowerShell.Create();
        _powershell.Runspace = runspace;
        if (timeoutSec > 0) _deadline = new Timer(_ => TimeOut(), null, timeoutSec * 1000L, Timeout.Infinite);
    }

    internal SandboxSessionState State => _state;

    /// <summary>Starts the child, opens a runspace in it and starts the block; input is fed afterwards.</summary>
    /// <param name="outputToHost">Show the block's output on the host instead of emitting it (a trial run).</param>
    /// <param name="explainAgainst">-ExplainDenials: the ruleset the traced run's accesses (launch.Observer's) are judged against.</param>
    internal static ScriptBlockRun Start(PSCmdlet cmdlet, PwshLaunch launch, ScriptBlock block, object?[] arguments,
        bool expectsInput, bool passThru, int timeoutSec, int killAfterSec, CancellationToken stopping,
        bool outputToHost = false, LandlockRuleset? explainAgainst = null)
    {
        (string script, object?[] usingValues) = UsingValues.Rewrite(block, cmdlet.SessionState);
        var host = new SandboxHost(cmdlet.Host, launch.HostAccess, recordsViaStreams: true);
        (Runspace runspace, SandboxSessionState state) = SandboxRunspace.Open(cmdlet, launch, name: null, host);
        var run = new ScriptBlockRun(cmdlet, runspace, state, passThru, timeoutSec, killAfterSec, stopping)
        {
            _host = host,
            _outputToHost = outputToHost,
            _explainAgainst = explainAgainst,
        };
        try
        {
            run.Prepare(usingValues);
            // Only once the block runs: before, this pipeline thread drains nothing (it waits for the set-up).
            host.PromptAfter(run.AwaitEarlierRecords);
            run.Begin(script, arguments, expectsInput);
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    public void Feed(object? input)
    {
        if (_ended) return;
        _input.Add(PSObject.AsPSObject(input));
        Drain(0);
    }

    public void Finish()
    {
        _input.Complete();
        if (!_ended) Drain(Timeout.Infinite);
        try
        {
            _powershell.EndInvoke(_invocation!);
        }
        catch (RuntimeException e) when (!_stopping.IsCancellationRequested)
        {
            // A terminating error in the block ends it; here it is an error like any other. After a
            // timeout it is the transport's error for the kill: the timeout error below says it better,
            // as LandlockPS's own reason does when it ended a child that broke the protocol.
            if (ClientSide(e.ErrorRecord) is null && _state.Broken is null && !_timedOut) _cmdlet.WriteError(HostRecords.Neutralize(e.ErrorRecord));
            if (BrokenError() is { } broken) _cmdlet.WriteError(broken);
        }
        finally
        {
            // Ended: a deadline that fires from now on must not kill the child or report a timeout.
            Interlocked.Exchange(ref _settled, 1);
            // What the child does from now on (closing, exiting) is not the block's.
            _state.StartInfo?.Observer?.MarkWorkEnd();
        }
        _deadline?.Dispose();
        SetExitCode();
        if (_timedOut)
        {
            _cmdlet.WriteError(ErrorHelper.Create("TimeoutExceeded",
                "The script block ran longer than -TimeoutSec: it was stopped" +
                (_killedAfterGrace ? ", and its sandboxed pwsh killed when it had not ended after -KillAfterSec." : "."), null));
        }
        if (!_passThru && _explainAgainst is null) return;
        // A graceful close, to report how the server ended: it answers, then exits once its stdin closes.
        try
        {
            _runspace.Close();
        }
        catch (Exception e) when (e is PSRemotingTransportException or InvalidRunspaceStateException or PSInvalidOperationException)
        {
            // The child is already gone; its exit status below says how.
        }
        _state.WaitForEnd(_stopGraceMilliseconds);
        if (_state.Process is { } process && _state.StartInfo is { } info)
        {
            IReadOnlyList<LandlockAccessEvent> denials = info.Observer is { } observer && _explainAgainst is { } ruleset
                ? RunObservation.ExplainDenials(_cmdlet, observer, ruleset, _state.ImplicitRules)
                : [];
            if (!_passThru) return;
            // A pwsh server that ends because its stdin closed after the close handshake exits
            // 4000 (seen as 160): that is a clean end.
            int? exitCode = _host.ExitCode ?? process.ExitStatus?.ShellExitCode;
            if (exitCode == ServerClosedExitCode) exitCode = 0;
            _cmdlet.WriteObject(new SandboxResult(info, process, _timedOut, _stopped)
            {
                ImplicitRules = _state.ImplicitRules, ExitCode = exitCode, KilledAfterGrace = _killedAfterGrace, Denials = denials,
            });
        }
    }

    // As after & ./script.ps1: `exit N` in the block sets $LASTEXITCODE, and $? is $false unless N is 0.
    // A block that does not exit leaves both alone.
    private void SetExitCode()
    {
        if (_host.ExitCode is not { } code) return;
        _cmdlet.SessionState.PSVariable.Set("global:LASTEXITCODE", code);
        if (code != 0) _cmdlet.InvokeCommand.HasErrors = true;
    }

    /// <summary>Ctrl+C: stop the block gracefully (its finally runs); if it has not ended after the grace period, kill it.</summary>
    public void Stop()
    {
        if (_disposed) return;
        _stopped = true;
        AskToStop();
    }

    private void AskToStop()
    {
        _drained.TrySetResult();
        _state.Backlog.Release();
        Post(null);
        try
        {
            _powershell.BeginStop(null, null);
        }
        catch (InvalidOperationException)
        {
            // Not running (yet, or any more).
        }
        _killAfterStop ??= new Timer(_ => KillAfterGrace(), null, _stopGraceMilliseconds, Timeout.Infinite);
    }

    private void KillAfterGrace()
    {
        if (_state.Process is not { HasExited: false } process) return;
        _killedAfterGrace = true;
        process.Kill();
    }

    public void Dispose()
    {
        if (_disposed) return;
        // Left early (an error with -ErrorAction Stop, a stop that raced the cmdlet): stop the block
        // as Ctrl+C would, so the kill timer bounds the wait below.
        if (_invocation is { IsCompleted: false }) Stop();
        _disposed = true;
        _drained.TrySetResult();
        _state.Backlog.Release();
        _deadline?.Dispose();
        // Disposing a PowerShell that still runs stops it and waits for the server to say so, which
        // lets the block's finally run. The kill timer stays armed meanwhile: if the block does not
        // stop, the child is killed and the transport's error ends the wait.
        _powershell.Dispose();
        _killAfterStop?.Dispose();
        // The block has ended (or was stopped): nothing is left to say to the server, so skip the
        // close handshake, which costs a round trip and the server's own shut-down.
        if (_runspace.RunspaceStateInfo.State != RunspaceState.Closed) _state.EndNow?.Invoke();
        _runspace.Dispose();
        _pending.Dispose();
        _state.StartInfo?.Observer?.Dispose();
    }

    // $using: values, and the caller's stream preferences (so -Verbose on the call shows the
    // block's Write-Verbose), set in the child before the block: one more round trip, only when needed.
    private void Prepare(object?[] usingValues)
    {
        var preferences = new Dictionary<string, object?>();
        foreach ((string variable, string parameter) in Preferences)
        {
            if (Effective(variable, parameter) is { } preference && preference != Default(variable)) preferences[variable] = preference;
        }
        if (usingValues.Length == 0 && preferences.Count == 0) return;
        using PowerShell setup = PowerShell.Create();
        setup.Runspace = _runspace;
        setup.AddScript(
            $"param($values, $preferences) $global:{UsingValues.Variable} = $values; " +
            $"for ($i = 0; $i -lt $values.Count; $i++) {{ Set-Variable -Scope Global -Name \"{UsingValues.Variable}_$i\" -Value $values[$i] }} " +
            "foreach ($name in $preferences.Keys) { $ExecutionContext.SessionState.PSVariable.Set($name, $preferences[$name]) }");
        setup.AddArgument(usingValues).AddArgument(preferences);
        setup.Invoke();
    }

    // What the caller asked for this call: -Verbose / -Debug / -xxxAction, else the preference variable.
    private ActionPreference? Effective(string variable, string parameter) =>
        _cmdlet.MyInvocation.BoundParameters.TryGetValue(parameter, out object? bound)
            ? bound switch
            {
                ActionPreference action => action,
                // -Verbose / -Debug: a switch, or a bool when bound through the API.
                _ => LanguagePrimitives.IsTrue(bound) ? ActionPreference.Continue : ActionPreference.SilentlyContinue,
            }
            : _cmdlet.GetVariableValue(variable) as ActionPreference?;

    private static ActionPreference Default(string name) => name switch
    {
        "WarningPreference" or "ProgressPreference" => ActionPreference.Continue,
        _ => ActionPreference.SilentlyContinue,
    };

    private void Begin(string script, object?[] arguments, bool expectsInput)
    {
        _powershell.AddScript(script);
        foreach (object? argument in arguments) _powershell.AddArgument(argument);

        PSDataStreams streams = _powershell.Streams;
        // Each record is taken out of its collection as it arrives (ReadAll), so memory stays flat
        // however much the block writes.
        _output.DataAdded += (_, _) => Forward(_output, o =>
        {
            if (_outputToHost) HostText.Show(_cmdlet, SentValue.Shown(o), "Output");
            // A string is shown as it is: what would act beyond the console (the clipboard) goes, as from a program's output lines.
            else if (o?.BaseObject is string text && TerminalOutputFilter.Clean(text) is var cleaned && !ReferenceEquals(cleaned, text)) _cmdlet.WriteObject(cleaned);
            // A lone ESC shown on a line of its own could start a command the next string finishes.
            else if (o?.BaseObject is '\u001b' or '\u009d') _cmdlet.WriteObject('\u241b');
            else _cmdlet.WriteObject(o);
        });
        // What the streams show reaches the caller's terminal: its text is neutralised; output is data, left alone
        // (but for the commands above in a string).
        streams.Error.DataAdded += (_, _) => Forward(streams.Error, r =>
        {
            if (ClientSide(r) is null) _cmdlet.WriteError(HostRecords.Neutralize(r));
            else if (BrokenError() is { } broken) _cmdlet.WriteError(broken);
        });
        streams.Warning.DataAdded += (_, _) => Forward(streams.Warning, r => _cmdlet.WriteWarning(HostText.Neutralize(r.Message)));
        streams.Verbose.DataAdded += (_, _) => Forward(streams.Verbose, r => _cmdlet.WriteVerbose(HostText.Neutralize(r.Message)));
        streams.Debug.DataAdded += (_, _) => Forward(streams.Debug, r => _cmdlet.WriteDebug(HostText.Neutralize(r.Message)));
        streams.Information.DataAdded += (_, _) => Forward(streams.Information, r => _cmdlet.WriteInformation(HostRecords.Neutralize(r)));
        streams.Progress.DataAdded += (_, _) => Forward(streams.Progress, r => _cmdlet.WriteProgress(HostRecords.Neutralize(r)));
        _powershell.InvocationStateChanged += (_, e) =>
        {
            if (e.InvocationStateInfo.State is PSInvocationState.Completed or PSInvocationState.Failed or PSInvocationState.Stopped)
            {
                Post(null);
            }
        };
        if (!expectsInput) _input.Complete();
        // What arrives waits in _pending for this pipeline: the child is held back while it falls behind.
        _state.Backlog.Watch(() => _pending.Count > 0);
        if (_state.StartInfo?.Observer is { } observer) SandboxRunspace.BeginObservedWork(_runspace, observer);
        _invocation = _powershell.BeginInvoke(_input, _output);
    }

    // PowerShell reports data it could not read from the child as an error of the block's: the
    // child is broken or hostile, so it is ended, and the error says so in LandlockPS's terms.
    private LandlockException? ClientSide(ErrorRecord record)
    {
        // The record is made from the exception itself (its Exception is only a stand-in): known by its id.
        if (record.Exception is not PSRemotingDataStructureException && !record.FullyQualifiedErrorId.StartsWith(typeof(PSRemotingDataStructureException).FullName!, StringComparison.Ordinal))
        {
            return null;
        }
        _state.EndUnreadable(record.Exception);
        return _state.Broken;
    }

    // Why LandlockPS ended the child, once per run, however many ways PowerShell reports it.
    private ErrorRecord? BrokenError() =>
        _state.Broken is { } broken && Interlocked.Exchange(ref _brokenReported, 1) == 0 ? ErrorHelper.FromException(broken, null) : null;

    /// <summary>
    /// Waits (on the thread that received a prompt) until this pipeline has written every record
    /// that arrived before: they are ahead of the prompt in _pending. A run that stops or ends
    /// meanwhile writes no more, and its prompt is refused.
    /// </summary>
    private void AwaitEarlierRecords()
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() => written.TrySetResult());
        if (Task.WaitAny(written.Task, _drained.Task) != 0 && !written.Task.IsCompleted)
        {
            throw new System.Management.Automation.Host.HostException("The sandbox's prompt was refused: the script block is stopping.");
        }
    }

    private void Forward<T>(PSDataCollection<T> collection, Action<T> write)
    {
        foreach (T item in collection.ReadAll()) Post(() => write(item));
    }

    private void Post(Action? action)
    {
        try
        {
            _pending.Add(action);
        }
        catch (InvalidOperationException)
        {
            // Completed or disposed (ObjectDisposedException is one too): the run is over.
        }
    }

    /// <summary>Writes what arrived; with an infinite wait, until the block has ended.</summary>
    private void Drain(int waitMilliseconds)
    {
        while (true)
        {
            Action? action;
            if (_pending.Count == 0) _state.Backlog.CaughtUp();
            try
            {
                if (!_pending.TryTake(out action, waitMilliseconds, _stopping)) return;
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            if (action is null)
            {
                // The block has ended (or a stop was asked for): nothing more will arrive.
                _ended = true;
                _drained.TrySetResult();
                return;
            }
            action();
        }
    }

    // Past -TimeoutSec: stopped as Ctrl+C would (its finally runs), killed after the grace period.
    private void TimeOut()
    {
        if (Interlocked.CompareExchange(ref _settled, 1, 0) != 0) return;
        _timedOut = true;
        AskToStop();
    }
}
