using System;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace LandlockPS.Tests;

/// <summary>
/// PowerShell hosted in the test process (Microsoft.PowerShell.SDK) with the module's cmdlets
/// imported from the very LandlockPS.dll these tests reference, so a cmdlet's binding, its
/// transformations and its error records are tested without a child pwsh. Nothing here confines the
/// test host: Invoke-Sandboxed confines only the children it starts.
/// </summary>
internal sealed class HostedPowerShell : IDisposable
{
    private readonly Runspace _runspace;

    static HostedPowerShell()
    {
        // No telemetry thread sending from the test host, opening sockets while other tests count descriptors.
        Environment.SetEnvironmentVariable("POWERSHELL_TELEMETRY_OPTOUT", "1");
    }

    public HostedPowerShell()
    {
        InitialSessionState state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(typeof(Commands.NewLandlockRulesetCommand).Assembly.Location);
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
    }

    /// <summary>Runs a script; returns its output and the shell that ran it (for its streams).</summary>
    public (Collection<PSObject> Output, PowerShell Shell) Run(string script, params (string Name, object? Value)[] variables)
    {
        foreach ((string name, object? value) in variables) _runspace.SessionStateProxy.SetVariable(name, value);
        PowerShell shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        return (shell.Invoke(), shell);
    }

    /// <summary>The objects a script outputs, unwrapped; fails on any error record.</summary>
    public object[] Objects(string script, params (string Name, object? Value)[] variables)
    {
        (Collection<PSObject> output, PowerShell shell) = Run(script, variables);
        using (shell)
        {
            if (shell.Streams.Error.Count > 0) throw new InvalidOperationException($"the script wrote an error: {shell.Streams.Error[0]}");
            return output.Select(o => o.BaseObject).ToArray();
        }
    }

    /// <summary>
    /// The caller's scope of this runspace, for what evaluates there ($using:). Code that runs script
    /// blocks in it from the test's thread needs the runspace as that thread's default: see <see cref="OnThisThread"/>.
    /// </summary>
    public SessionState SessionState => (SessionState)Objects("$ExecutionContext.SessionState")[0];

    /// <summary>Makes this runspace the test thread's default, as it is for a cmdlet running in it.</summary>
    public void OnThisThread() => Runspace.DefaultRunspace = _runspace;

    public void Dispose() => _runspace.Dispose();
}
