using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Remoting;

/// <summary>Opens a runspace in a confined child pwsh and checks it can work before handing it out.</summary>
internal static class SandboxRunspace
{
    // PowerShell's own type data plus this module's: arguments sent to the child are serialized
    // with it (a ruleset keeps its rules as objects).
    private static readonly Lazy<TypeTable> Types = new(() => new TypeTable(
        TypeTable.GetDefaultTypeFiles().Append(Path.Combine(Path.GetDirectoryName(typeof(SandboxRunspace).Assembly.Location)!, "LandlockPS.types.ps1xml"))));

    /// <summary>The launch for a cmdlet's parameters: the child's environment and location, this module for nesting.</summary>
    internal static PwshLaunch LaunchFor(PSCmdlet cmdlet, LandlockRuleset ruleset, bool implicitRules,
        System.Collections.Generic.IReadOnlyDictionary<string, string> environment, string workingDirectory, bool keepCapabilities, bool allowUnconfined,
        bool shortLived)
    {
        PSModuleInfo? module = cmdlet.MyInvocation.MyCommand.Module;
        ModuleLocation? location = module is null ? null : new ModuleLocation(
            module.Name, module.Version, module.Guid, typeof(SandboxRunspace).Assembly.Location,
            module.ExportedFormatFiles.ToArray(), module.ExportedTypeFiles.ToArray(), module.ExportedCmdlets.Keys.ToArray());
        return new PwshLaunch(ruleset, implicitRules, environment, workingDirectory, keepCapabilities, allowUnconfined, location, shortLived);
    }

    /// <summary>Starts the child and opens the runspace; throws when it cannot be used.</summary>
    internal static (Runspace Runspace, SandboxSessionState State) Open(PSCmdlet cmdlet, PwshLaunch launch, string? name, SandboxHost host)
    {
        var state = new SandboxSessionState();
        var connection = new SandboxConnectionInfo(launch, state);
        Runspace runspace = RunspaceFactory.CreateRunspace(connection, host, Types.Value);
        host.Serve(runspace, state);
        if (name is not null) runspace.Name = name;
        // PowerShell found the child's data unreadable: it is broken or hostile, end it now rather
        // than leave it running beside a session that can no longer use it.
        runspace.StateChanged += (_, e) =>
        {
            if (e.RunspaceStateInfo is { State: RunspaceState.Broken, Reason: PSRemotingDataStructureException unreadable }) state.EndUnreadable(unreadable);
        };
        try
        {
            runspace.Open();
            // The implicit rules include read access to $PSHOME: the probe only guards rulesets without them.
            if (!launch.ImplicitRules) Smoke(runspace, state);
            EnterWorkingDirectory(runspace, launch.WorkingDirectory);
            return (runspace, state);
        }
        catch (Exception e) when (state.StartError is LandlockException startError && e is not LandlockException)
        {
            runspace.Dispose();
            throw startError;
        }
        catch
        {
            runspace.Dispose();
            throw;
        }
    }

    // A remote runspace starts in the server's home (here the scratch home), whatever the process's
    // working directory. A block or a session starts where its caller is, or in -WorkingDirectory:
    // through the engine rather than Set-Location, which would cost loading a module first.
    private const string EnterLocation = "$ExecutionContext.SessionState.Path.SetLocation([WildcardPattern]::Escape($args[0])) > $null";

    private static void EnterWorkingDirectory(Runspace runspace, string directory)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(EnterLocation).AddArgument(directory);
        string? failure;
        try
        {
            ps.Invoke();
            failure = ps.HadErrors ? ps.Streams.Error.FirstOrDefault()?.ToString() ?? "unknown error" : null;
        }
        catch (RuntimeException e)
        {
            failure = e.Message;
        }
        if (failure is not null)
        {
            throw new LandlockException($"The sandboxed pwsh cannot enter its working directory {directory}: {failure}", errorId: "WorkingDirectoryNotFound");
        }
    }

    // The modules nearly every script uses. Finding a command pwsh has not loaded yet makes it list
    // every folder on PATH and walk the module path from "/" (most of that a ruleset need not allow,
    // and pwsh does without): loaded before the work starts, their commands make none of that noise.
    private const string CommonModules = "Import-Module Microsoft.PowerShell.Management, Microsoft.PowerShell.Utility";

    /// <summary>
    /// Tells <paramref name="observer"/> that the work starts now: what the child pwsh did so far was
    /// starting and opening the session. The common modules are loaded first (see <see cref="CommonModules"/>),
    /// which costs a traced run a few tens of milliseconds, and an untraced one nothing.
    /// </summary>
    internal static void BeginObservedWork(Runspace runspace, LandlockPS.Core.Observe.AccessObserver observer)
    {
        using (PowerShell ps = PowerShell.Create())
        {
            ps.Runspace = runspace;
            ps.AddScript(CommonModules).Invoke();
        }
        observer.MarkWorkStart();
    }

    // Open() can succeed while the child cannot load a single module (ReadDir missing on its
    // module folders): then every command is "not recognized". Find out now, not in the user's
    // block, with a probe that loads no module (asking for a command would cost a module load).
    private const string SmokeProbe =
        "[System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSHOME, 'Modules', 'Microsoft.PowerShell.Management')).Length";

    private static void Smoke(Runspace runspace, SandboxSessionState state)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(SmokeProbe);
        bool works;
        try
        {
            works = ps.Invoke().FirstOrDefault()?.BaseObject is int files && files > 0 && !ps.HadErrors;
        }
        catch (RuntimeException)
        {
            works = false;
        }
        if (!works)
        {
            throw new LandlockException(
                "The sandboxed pwsh started but cannot load its own modules: the ruleset denies it reading its $PSHOME. " +
                "Leave the implicit rules on (no -NoImplicitRules), or allow ReadOnly on " + state.StartInfo?.FilePath + "'s folder.",
                errorId: "SandboxedPwshUnusable");
        }
    }
}
