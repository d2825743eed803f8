using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using LandlockPS.Core.Sandbox;

namespace LandlockPS.Remoting;

/// <summary>
/// A script block run in a confined child pwsh. The block goes through PowerShell's own
/// Invoke-Command against a session on the child, so typed output, every stream, host calls,
/// $using:, pipeline input and graceful stopping behave exactly as they do in remoting.
/// </summary>
internal sealed class ScriptBlockRun : ISandboxRun
{
    private const int StopGraceMilliseconds = 5000;
    private const int ServerClosedExitCode = 4000 & 0xFF;

    // One command (a steppable pipeline allows nothing else), run in the caller's session state so
    // $using: in the block resolves in the caller's scope. -InputObject, when given, is splatted in.
    private const string Relay =
        "param($__LandlockSession, $__LandlockBlock, $__LandlockArguments, $__LandlockExtra) " +
        "Microsoft.PowerShell.Core\\Invoke-Command -Session $__LandlockSession -ScriptBlock $__LandlockBlock -ArgumentList $__LandlockArguments @__LandlockExtra";

    private readonly PSCmdlet _cmdlet;
    private readonly Runspace _runspace;
    private readonly SandboxSessionState _state;
    private readonly SteppablePipeline _pipeline;
    private readonly bool _passThru;
    private readonly Timer? _deadline;
    private Timer? _killAfterStop;
    private bool _timedOut;
    private bool _stopped;

    private ScriptBlockRun(PSCmdlet cmdlet, Runspace runspace, SandboxSessionState state, SteppablePipeline pipeline, bool passThru, int timeoutSec)
    {
        _cmdlet = cmdlet;
        _runspace = runspace;
        _state = state;
        _pipeline = pipeline;
        _passThru = passThru;
        if (timeoutSec > 0) _deadline = new Timer(_ => TimeOut(), null, timeoutSec * 1000L, Timeout.Infinite);
    }

    internal SandboxSessionState State => _state;

    /// <summary>Starts the child, opens the session and begins the relay; input is fed afterwards.</summary>
    internal static ScriptBlockRun Start(PSCmdlet cmdlet, PwshLaunch launch, ScriptBlock block, object?[] arguments,
        (bool Given, object? Value) input, bool passThru, int timeoutSec)
    {
        (Runspace runspace, SandboxSessionState state) = SandboxRunspace.Open(cmdlet, launch, name: null);
        try
        {
            PSSession session = PSSession.Create(runspace, "LandlockPS", psCmdlet: null);
            SteppablePipeline pipeline = ScriptBlock.Create(Relay)
                .GetSteppablePipeline(CommandOrigin.Internal, [session, block, arguments, Extra(input)]);
            pipeline.Begin(cmdlet);
            return new ScriptBlockRun(cmdlet, runspace, state, pipeline, passThru, timeoutSec);
        }
        catch
        {
            runspace.Dispose();
            throw;
        }
    }

    private static System.Collections.Hashtable Extra((bool Given, object? Value) input) =>
        input.Given ? new System.Collections.Hashtable { ["InputObject"] = input.Value } : [];

    public void Feed(object? input) => _pipeline.Process(input);

    public void Finish()
    {
        _pipeline.End();
        _deadline?.Dispose();
        SandboxedProcess? process = _state.Process;
        // A graceful close: the server answers, then exits once its stdin closes.
        _runspace.Close();
        _state.WaitForEnd(StopGraceMilliseconds);
        if (_timedOut)
        {
            _cmdlet.WriteError(ErrorHelper.Create("TimeoutExceeded", ErrorCategory.OperationTimeout,
                "The script block ran longer than -TimeoutSec; its sandboxed pwsh was killed.", null));
        }
        if (_passThru && process is not null && _state.StartInfo is { } info)
        {
            // A pwsh server that ends because its stdin closed after the close handshake exits 4000
            // (seen as 160): that is a clean end.
            int? exitCode = process.ExitStatus?.ShellExitCode;
            if (exitCode == ServerClosedExitCode && !_timedOut && !_stopped) exitCode = 0;
            _cmdlet.WriteObject(new SandboxResult(info, process, _timedOut, _stopped) { ImplicitRules = _state.ImplicitRules, ExitCode = exitCode });
        }
    }

    /// <summary>Ctrl+C: PowerShell stops the remote pipeline gracefully; if it has not ended in a few seconds, kill it.</summary>
    public void Kill()
    {
        _stopped = true;
        _killAfterStop ??= new Timer(_ => _state.Process?.Kill(), null, StopGraceMilliseconds, Timeout.Infinite);
    }

    private void TimeOut()
    {
        _timedOut = true;
        _state.Process?.Kill();
    }

    public void Dispose()
    {
        _deadline?.Dispose();
        _killAfterStop?.Dispose();
        _pipeline.Dispose();
        _runspace.Dispose();
    }
}
