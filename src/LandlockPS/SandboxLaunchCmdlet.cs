using System.Collections;
using System.Management.Automation;
using LandlockPS.Core.Landlock;

namespace LandlockPS;

/// <summary>What every cmdlet that starts a confined child shares: where, with what environment, with which privileges.</summary>
public abstract class SandboxLaunchCmdlet : CancellableCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    [Parameter]
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
            ThrowTerminatingError(new ErrorRecord(e, "InvalidEnvironment", ErrorCategory.InvalidArgument, Environment));
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
                ? $" To match this kernel, make the ruleset with -Abi {kernel} (or pin abi = {(int)kernel} in its policy file);"
                : string.Empty;
            SessionWarnings.WriteOnce(this, $"Partially enforced: {report.Describe()}{pin} shown once per session.");
        }
        else if (report.Status == EnforcementStatus.NotEnforced)
        {
            WriteWarning($"Running UNCONFINED (-AllowUnconfined): {report.Describe()}");
        }
    }

    /// <summary>
    /// A sandbox that may write where scratch homes are made could plant code in the homes of other
    /// sandboxed pwsh children (their module path starts there), which then runs with their rights:
    /// said once per session, for the run is still what the caller asked for.
    /// </summary>
    protected void WarnIfWritesHomes(LandlockRuleset ruleset)
    {
        if (Core.Sandbox.HomeRoot.WritableBy(ruleset) is not { } homes) return;
        SessionWarnings.WriteOnce(this,
            $"This sandbox may write {homes}, where LandlockPS makes the private homes of sandboxed script blocks and sessions: " +
            "it could plant code there that runs in another sandbox, with that sandbox's rights. Grant write access to narrower folders " +
            $"(not {homes} or a folder above it), or run LandlockPS where XDG_RUNTIME_DIR names your login session's private folder, which homes then use.");
    }

    /// <summary>-WorkingDirectory resolved against the PowerShell location, or that location; terminating error if it is not a directory.</summary>
    protected string ResolveWorkingDirectory()
    {
        if (WorkingDirectory is null) return PathResolver.CurrentDirectory(this);
        return PathResolver.RequireDirectory(this, WorkingDirectory, "WorkingDirectoryNotFound",
            $"The working directory '{WorkingDirectory}' does not exist or is not a directory.");
    }
}
