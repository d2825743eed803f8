using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;
using LandlockPS.Core.Sandbox;

namespace LandlockPS;

/// <summary>What every cmdlet that starts a confined child shares: where, with what environment, with which privileges.</summary>
public abstract class SandboxLaunchCmdlet : CancellableCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    // -e stays -Environment beside -ExplainDenials: after a program, its transformation then says how
    // to pass -e to the program (put -- before its arguments), where PowerShell would only say "ambiguous".
    [Parameter]
    [Alias("e")]
    [EnvironmentTransformation]
    [ValidateNotNull]
    public IDictionary? Environment { get; set; }

    [Parameter]
    public SwitchParameter ClearEnvironment { get; set; }

    [Parameter]
    public SwitchParameter KeepCapabilities { get; set; }

    [Parameter]
    public SwitchParameter AllowUnconfined { get; set; }

    /// <summary>The child's environment from -Environment and -ClearEnvironment; a terminating InvalidEnvironment error for a bad name or value.</summary>
    protected System.Collections.Generic.Dictionary<string, string> BuildEnvironment()
    {
        try
        {
            return ChildEnvironment.Build(Environment, ClearEnvironment);
        }
        catch (System.ArgumentException e)
        {
            ThrowTerminatingError(ErrorHelper.Wrap(e, "InvalidEnvironment", Environment));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    /// <summary>
    /// What the caller must know of a launch's enforcement: a partial one once per session, with
    /// how to match the kernel (the status itself is reported on every run); an unconfined one,
    /// asked for with -AllowUnconfined, every time.
    /// </summary>
    protected void WarnAboutEnforcement(LandlockEnforcementReport report)
    {
        if (report.Status == EnforcementStatus.PartiallyEnforced)
        {
            string pin = report.KernelAbi is { } kernel
                ? $" To match this kernel, make the ruleset with -Abi {kernel} (or pin abi = {(int)kernel} in its policy file){GivenUp(report)};"
                : string.Empty;
            SessionWarnings.WriteOnce(this, $"Partially enforced: {report.Describe()}{pin} shown once per session.");
        }
        else if (report.Status == EnforcementStatus.NotEnforced)
        {
            WriteWarning($"Running UNCONFINED (-AllowUnconfined): {report.Describe()}");
        }
    }

    // Pinned to the kernel's ABI, a ruleset no longer handles what LandlockPS closes for it.
    private static string GivenUp(LandlockEnforcementReport report)
    {
        var closed = new List<string>();
        if ((report.Emulated & LandlockEmulation.UnixSockets) != 0) closed.Add("UNIX sockets");
        if ((report.Emulated & LandlockEmulation.UdpSockets) != 0) closed.Add("UDP");
        return closed.Count == 0 ? string.Empty : $", which leaves {string.Join(" and ", closed)} unrestricted too (LandlockPS closes them for this ruleset now)";
    }

    /// <summary>
    /// What starts a program: <paramref name="filePath"/> found as &amp; finds it (PATH, or a path), its
    /// arguments as &amp; passes them, and this call's directory, environment and privileges. A terminating
    /// ExecutableNotFound error when there is no such program.
    /// </summary>
    protected SandboxStartInfo BuildProgramStartInfo(string filePath, object?[] arguments, CommandAst? typed, string workingDirectory, AccessObserver? observer = null)
    {
        string? program = ExecutableResolver.Resolve(this, filePath);
        if (program is null)
        {
            ThrowTerminatingError(ErrorHelper.Create("ExecutableNotFound",
                $"'{filePath}' is not a program on PATH or a file-system path. Check the name, or give its full path.", filePath));
        }
        return new SandboxStartInfo(program!)
        {
            ArgumentZero = filePath,
            Arguments = ProgramArguments.From(arguments, typed, MyInvocation.MyCommand, word => NativeGlob.Expand(SessionState, word)),
            WorkingDirectory = workingDirectory,
            Environment = BuildEnvironment(),
            KeepCapabilities = KeepCapabilities,
            AllowUnconfined = AllowUnconfined,
            Observer = observer,
        };
    }

    // After the program, "-c" is far more likely the program's option than -ClearEnvironment: bound
    // to LandlockPS, it would change the run silently (-k keeping capabilities, -f running another
    // program). Refuse, and say how to write either meaning.
    protected void RefuseShortenedParameterAfterProgram(CommandAst typed)
    {
        if (ProgramArguments.ShortenedAfterProgram(typed, MyInvocation.MyCommand) is not var (word, parameter, program)) return;
        string name = MyInvocation.MyCommand.Name;
        ThrowTerminatingError(ErrorHelper.Create("ShortenedParameterAfterProgram",
            $"'{word}' after the program matches {name}'s -{parameter}. To pass it to {program}, put -- before " +
            $"{program}'s arguments ({name} {program} -- {word} ...); to mean -{parameter}, write its full name.", word));
    }

    /// <summary>
    /// What a sandbox of <paramref name="process"/>'s could do beyond its run through places its
    /// ruleset lets it write, where LandlockPS holds other runs: said once per session each, for the
    /// run is still what the caller asked for.
    /// </summary>
    protected void WarnAboutWritableSeams(SandboxedProcess process, LandlockRuleset ruleset)
    {
        WarnIfWritesHomes(ruleset);
        if (process.Containment == ContainmentMechanism.ControlGroup) WarnIfWritesControlGroups(ruleset);
    }

    // A sandbox that may write where scratch homes are made could plant code in the homes of other
    // sandboxed pwsh children (their module path starts there), which then runs with their rights.
    private void WarnIfWritesHomes(LandlockRuleset ruleset)
    {
        // Once shown, the warning is not shown again: skip the walk (a stat per writing rule, and
        // per folder from the homes up) that every launch would otherwise make to find it again.
        if (SessionWarnings.WouldSkip(this, HomesWarning(Core.Sandbox.HomeRoot.Path))) return;
        if (Core.Sandbox.HomeRoot.WritableBy(ruleset) is not { } homes) return;
        SessionWarnings.WriteOnce(this, HomesWarning(homes));
    }

    // A sandbox that may write the cgroup file system can write its pid into another cgroup, leaving
    // its run's (cgroup.kill then misses it), and any other pid into its run's (which it then kills).
    private void WarnIfWritesControlGroups(LandlockRuleset ruleset)
    {
        // As for homes: once shown, skip the walk every launch held by a cgroup would make.
        if (SandboxedProcess.ControlGroupMount is not { } mount || SessionWarnings.WouldSkip(this, ControlGroupsWarning(mount))) return;
        if (SandboxedProcess.ControlGroupsWritableBy(ruleset) is not { } cgroups) return;
        SessionWarnings.WriteOnce(this, ControlGroupsWarning(cgroups));
    }

    private static string ControlGroupsWarning(string cgroups) =>
        $"This sandbox may write the cgroup file system {cgroups}: a process it starts could move itself out of its run's cgroup " +
        "and outlive the run, or move any other process into it, which the end of the run then kills. " +
        "Handle WriteFile, and grant it on narrower folders than the cgroup file system and the folders above it.";

    private static string HomesWarning(string homes) =>
        $"This sandbox may write {homes}, where LandlockPS makes the private homes of sandboxed script blocks and sessions: " +
        "it could plant code there that runs in another sandbox, with that sandbox's rights. Grant write access to narrower folders " +
        $"(not {homes} or a folder above it), or run LandlockPS where XDG_RUNTIME_DIR names your login session's private folder, which homes then use.";

    /// <summary>-WorkingDirectory resolved against the PowerShell location, or that location; terminating error if it is not a directory.</summary>
    protected string ResolveWorkingDirectory()
    {
        if (WorkingDirectory is null) return PathResolver.CurrentDirectory(this);
        return PathResolver.RequireDirectory(this, WorkingDirectory, "WorkingDirectoryNotFound",
            $"The working directory '{WorkingDirectory}' does not exist or is not a directory.");
    }
}
