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
                ? $" To match this kernel, make the ruleset with -Abi {kernel} (or pin abi = {(int)kernel} in its policy file);"
                : string.Empty;
            SessionWarnings.WriteOnce(this, $"Partially enforced: {report.Describe()}{pin} shown once per session.");
        }
        else if (report.Status == EnforcementStatus.NotEnforced)
        {
            WriteWarning($"Running UNCONFINED (-AllowUnconfined): {report.Describe()}");
        }
    }

    /// <summary>-WorkingDirectory resolved against the PowerShell location, or that location; terminating error if it is not a directory.</summary>
    protected string ResolveWorkingDirectory()
    {
        if (WorkingDirectory is null) return PathResolver.CurrentDirectory(this);
        return PathResolver.RequireDirectory(this, WorkingDirectory, "WorkingDirectoryNotFound",
            $"The working directory '{WorkingDirectory}' does not exist or is not a directory.");
    }
}
