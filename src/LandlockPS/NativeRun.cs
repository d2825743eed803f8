using System;
using System.Buffers;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using System.Threading;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;

namespace LandlockPS;

/// <summary>How Invoke-Sandboxed shows one child's output, and how long it waits for a child it asked to end.</summary>
internal sealed record NativeRunOptions(bool AsByteStream, StandardErrorMode StandardError, int TimeoutSec, int KillAfterSec, bool PassThru,
    Encoding OutputEncoding, Func<Encoding> InputEncoding, int MaximumLineLength)
{
    /// <summary>Show standard output on the host instead of emitting it (a trial run, whose output objects are what it accessed).</summary>
    public bool OutputToHost { get; init; }
}

/// <summary>
/// One running child, seen from the cmdlet: feeds its standard input, turns its output into
/// pipeline objects on the pipeline thread (or relays its private terminal), enforces the timeout,
/// and ends it as a native command ends: Ctrl+C interrupts it, a timeout terminates it, and either
/// kills it after the grace period. $LASTEXITCODE is set however it ends.
/// </summary>
internal sealed class NativeRun : ISandboxRun
{
    private const int PollMilliseconds = 50;

    /// <summary>16 Mi characters: far beyond any line a person reads, and a bound on what one line can cost the caller.</summary>
    internal const int DefaultMaximumLineLength = 16 << 20;

    private readonly PSCmdlet _cmdlet;
    private readonly SandboxedProcess _process;
    private readonly SandboxStartInfo _info;
    private readonly NativeRunOptions _options;
    private readonly CancellationToken _stopping;
    private readonly LineDecoder _stdout;
    private readonly TerminalOutputFilter _stdoutFilter = new();
    private readonly TerminalOutputFilter _stderrFilter = new();
    private readonly InputLines _inputLines = new();
    private readonly LineDecoder _stderr;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly GracefulStop _stop;
    private readonly TerminalRelay? _relay;
    private bool _timedOut;
    private volatile bool _stopped;
    private bool _ended;
    private Encoding? _inputEncoding;

    /// <summary>Rules LandlockPS added to this run's copy of the caller's ruleset (-AllowDependencies, the terminal), for the result.</summary>
    internal IReadOnlyList<LandlockPathRule> AddedRules { get; init; } = [];

    /// <summary>-ExplainDenials: the ruleset the run's observed accesses are judged against (with <see cref="AddedRules"/>); null otherwise.</summary>
    internal LandlockRuleset? ExplainAgainst { get; init; }

    /// <summary>Starts serving <paramref name="process"/>; with a terminal, relays it to the caller's from now on.</summary>
    internal NativeRun(PSCmdlet cmdlet, SandboxedProcess process, SandboxStartInfo info, NativeRunOptions options, CancellationToken stopping)
    {
        _cmdlet = cmdlet;
        _process = process;
        _info = info;
        _options = options;
        _stopping = stopping;
        _stdout = new LineDecoder(options.OutputEncoding, options.MaximumLineLength);
        _stderr = new LineDecoder(options.OutputEncoding, options.MaximumLineLength);
        _stop = new GracefulStop(process, TimeSpan.FromSeconds(options.KillAfterSec));
        // A relay that failed leaves the child with nobody at its terminal: it is ended, and Finish says why.
        if (info.Terminal is { } terminal) _relay = TerminalRelay.Start(terminal, failed: process.Kill);
    }

    /// <summary>Ctrl+C: the child's interrupt (its terminal's interrupt key with -Terminal, else SIGINT to its group). Safe from any thread.</summary>
    public void Stop()
    {
        _stopped = true;
        if (_info.Terminal is { } terminal) _stop.Request(() => { if (!terminal.TypeInterrupt()) _process.Signal(GracefulStop.Interrupt); });
        else _stop.Request(GracefulStop.Interrupt);
    }

    /// <summary>Writes one input object (or each item of a collection) to the child's standard input.</summary>
    public void Feed(object? input)
    {
        object? item = input is PSObject wrapped ? wrapped.BaseObject : input;
        if (item is null) return;
        // A dictionary is one object, as the pipeline takes it (its table), not its entries.
        if (item is IEnumerable sequence and not string and not byte[] and not IDictionary)
        {
            foreach (object? element in sequence) Feed(element);
            return;
        }
        switch (item)
        {
            case byte[] raw:
                Write(raw);
                break;
            case byte single:
                Write([single]);
                break;
            default:
                // The object as it came: a PSCustomObject's properties live on its wrapper.
                foreach (string line in _inputLines.Of(input!)) WriteLine(line);
                break;
        }
    }

    private void WriteLine(string line) => Write((_inputEncoding ??= _options.InputEncoding()).GetBytes(line + "\n"));

    private void Write(byte[] bytes)
    {
        // While the child's input is full, keep emptying its output: a child that writes before it reads must not deadlock.
        while (!_process.HasExited && !_process.TryWriteInput(bytes))
        {
            Drain(PollMilliseconds, untilComplete: false);
        }
        Drain(0, untilComplete: false);
    }

    /// <summary>Closes standard input, emits the rest of the output, and reports how the child ended.</summary>
    public void Finish()
    {
        if (_info.RedirectStandardInput)
        {
            foreach (string line in _inputLines.End()) WriteLine(line);
            _process.CloseInput();
        }
        Drain(PollMilliseconds, untilComplete: true);
        _process.WaitForExit();
        End();
        EmitLine(_stdout.Flush(), ChildStream.StandardOutput);
        EmitLine(_stderr.Flush(), ChildStream.StandardError);
        WarnAboutSplitLines();

        int? exitCode = SetExitCode();
        if (exitCode is not null and not 0) _cmdlet.InvokeCommand.HasErrors = true; // $? is $false, as after & with a non-zero exit
        if (_relay?.Failure is { } failure)
        {
            _cmdlet.WriteError(ErrorHelper.Create("TerminalRelayFailed",
                $"Relaying your terminal to '{_info.FilePath}''s private terminal failed ({failure.GetType().Name}: {HostText.Plain(failure.Message)}), so it was ended. This is a bug of LandlockPS: please report it; until then, run it without -Terminal.", _info.FilePath));
        }
        if (_timedOut)
        {
            _cmdlet.WriteError(ErrorHelper.Create("TimeoutExceeded",
                $"'{_info.FilePath}' ran longer than {_options.TimeoutSec} s (-TimeoutSec): its process group was sent SIGTERM" +
                (_stop.Killed ? $", and killed {_options.KillAfterSec} s later (-KillAfterSec)" : string.Empty) +
                (_process.Containment == ContainmentMechanism.ControlGroup ? "; every process it started was killed with it." : "; what was left of its process group was killed with it."), _info.FilePath));
        }
        else if (exitCode is not null and not 0 && NativeErrorsAreErrors())
        {
            _cmdlet.WriteError(ErrorHelper.Create("NativeCommandExitCode",
                $"'{_info.FilePath}' exited with code {exitCode} ($PSNativeCommandUseErrorActionPreference is $true).", _info.FilePath));
        }
        IReadOnlyList<Core.Observe.LandlockAccessEvent> denials = _info.Observer is { } observer && ExplainAgainst is { } ruleset
            ? RunObservation.ExplainDenials(_cmdlet, observer, ruleset, AddedRules)
            : [];
        if (_options.PassThru)
        {
            _cmdlet.WriteObject(new SandboxResult(_info, _process, _timedOut, _stopped) { ImplicitRules = AddedRules, KilledAfterGrace = _stop.Killed, Denials = denials });
        }
    }

    /// <summary>
    /// Ends a run that did not finish: after Ctrl+C, it gets its grace period; otherwise (an error
    /// stopped the pipeline, or a command downstream needs no more) it is killed at once.
    /// </summary>
    public void Dispose()
    {
        if (!_ended)
        {
            if (!_stop.Requested) _process.Kill();
            WaitForEnd();
        }
        _process.Dispose();
        _inputLines.Dispose();
        _info.Observer?.Dispose();
    }

    // Ctrl+C while the child ran: it gets its interrupt and the grace period, its output is dropped
    // (the pipeline is stopping), and $LASTEXITCODE still says how it ended.
    private PipelineStoppedException Stopping()
    {
        Stop();
        WaitForEnd();
        return new PipelineStoppedException();
    }

    private void WaitForEnd()
    {
        while (!_process.IsOutputCompleted)
        {
            _stop.Enforce();
            _process.TryTakeOutput(out _, PollMilliseconds);
        }
        End();
        SetExitCode();
    }

    // The child is reaped: its terminal, if it had one, is relayed to the end and the caller's terminal restored.
    private void End()
    {
        if (_ended) return;
        _ended = true;
        _relay?.Dispose();
        _info.Terminal?.Dispose();
    }

    // An exit status nobody could reap (ExitCode and Signal both null) leaves $LASTEXITCODE alone.
    private int? SetExitCode()
    {
        SandboxExitStatus? status = _process.ExitStatus;
        int? exitCode = status is { ExitCode: not null } or { Signal: not null } ? status.ShellExitCode : null;
        if (exitCode is not null) _cmdlet.SessionState.PSVariable.Set("global:LASTEXITCODE", exitCode);
        return exitCode;
    }

    private void WarnAboutSplitLines()
    {
        int split = _stdout.SplitLines + _stderr.SplitLines;
        if (split == 0) return;
        _cmdlet.WriteWarning($"{split} line(s) of '{_info.FilePath}''s output were longer than {_options.MaximumLineLength} characters and were cut into pieces of that length. " +
            "Raise -MaximumLineLength to keep them whole, or use -AsByteStream for raw output.");
    }

    private bool NativeErrorsAreErrors() =>
        _cmdlet.SessionState.PSVariable.GetValue("PSNativeCommandUseErrorActionPreference") is true;

    private void Drain(int waitMilliseconds, bool untilComplete)
    {
        while (true)
        {
            CheckTimeout();
            OutputChunk chunk;
            try
            {
                if (!_process.TryTakeOutput(out chunk, waitMilliseconds, _stopping))
                {
                    if (untilComplete && !_process.IsOutputCompleted) continue;
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                throw Stopping();
            }
            Emit(chunk);
            if (!untilComplete) waitMilliseconds = 0;
        }
    }

    private void CheckTimeout()
    {
        _stop.Enforce();
        if (_options.TimeoutSec <= 0 || _timedOut || _stop.Requested || _clock.Elapsed.TotalSeconds < _options.TimeoutSec) return;
        _timedOut = true;
        _stop.Request(GracefulStop.Terminate);
    }

    private void Emit(OutputChunk chunk)
    {
        if (chunk.Stream == ChildStream.StandardOutput && _options.AsByteStream)
        {
            byte[] bytes = chunk.Count == chunk.Buffer.Length ? chunk.Buffer : chunk.Buffer.AsSpan(0, chunk.Count).ToArray();
            _cmdlet.WriteObject(bytes, enumerateCollection: false);
            return;
        }
        // Output lines reach the console as they are, like a native command's (standard error's too,
        // merged into them): what acts beyond the screen (the clipboard, file transfers) goes first,
        // as from a private terminal. Standard error shown any other way is neutralised whole.
        bool output = chunk.Stream == ChildStream.StandardOutput;
        if (!output && _options.StandardError != StandardErrorMode.Output)
        {
            foreach (string line in _stderr.Push(chunk.Buffer, chunk.Count)) EmitLine(line, chunk.Stream);
            return;
        }
        byte[] filtered = ArrayPool<byte>.Shared.Rent(chunk.Count + TerminalOutputFilter.MaxHeldBytes);
        try
        {
            int count = (output ? _stdoutFilter : _stderrFilter).Filter(chunk.Buffer.AsSpan(0, chunk.Count), filtered);
            foreach (string line in (output ? _stdout : _stderr).Push(filtered, count)) EmitLine(line, chunk.Stream);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(filtered);
        }
    }

    private void EmitLine(string? line, ChildStream stream)
    {
        if (line is null) return;
        if (stream == ChildStream.StandardOutput)
        {
            if (_options.OutputToHost) HostText.Show(_cmdlet, line, "StandardOutput");
            else _cmdlet.WriteObject(line);
            return;
        }
        switch (_options.StandardError)
        {
            case StandardErrorMode.Output:
                _cmdlet.WriteObject(line);
                break;
            case StandardErrorMode.Error:
                _cmdlet.WriteError(new ErrorRecord(new RemoteException(HostText.Neutralize(line)), "NativeStandardError", ErrorHelper.Category("NativeStandardError"), _info.FilePath));
                break;
            default:
                // Shown on the caller's terminal: nothing but colours may act on it.
                HostText.Show(_cmdlet, line, "StandardError");
                break;
        }
    }
}
