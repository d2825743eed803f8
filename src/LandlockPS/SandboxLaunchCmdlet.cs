using System.Collections;
using System.Linq;
using System.Management.Automation;

namespace LandlockPS;

/// <summary>What every cmdlet that starts a confined child shares: where, with what environment, with which privileges.</summary>
public abstract class SandboxLaunchCmdlet : CancellableCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    [Parameter]
    [ValidateNotNull]
    public IDictionary? Environment { get; set; }

    [Parameter]
    public SwitchParameter ClearEnvironment { get; set; }

    [Parameter]
    public SwitchParameter KeepCapabilities { get; set; }

    [Parameter]
    public SwitchParameter AllowUnconfined { get; set; }

    /// <summary>-WorkingDirectory resolved against the PowerShell location, or that location; terminating error if it is not a directory.</summary>
    protected string ResolveWorkingDirectory()
    {
        if (WorkingDirectory is null) return PathResolver.CurrentDirectory(this);
        string? resolved;
        try
        {
            resolved = PathResolver.Resolve(this, WorkingDirectory, literal: true).FirstOrDefault();
        }
        catch (PathNotFileSystemException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "PathNotFileSystem", ErrorCategory.InvalidArgument, WorkingDirectory));
            throw; // not reached
        }
        if (resolved is null || !System.IO.Directory.Exists(resolved))
        {
            ThrowTerminatingError(ErrorHelper.Create("WorkingDirectoryNotFound", ErrorCategory.ObjectNotFound,
                $"The working directory '{WorkingDirectory}' does not exist or is not a directory.", WorkingDirectory));
        }
        return resolved!;
    }
}
