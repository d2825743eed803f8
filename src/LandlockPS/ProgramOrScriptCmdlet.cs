using System.Management.Automation;

namespace LandlockPS;

/// <summary>
/// A cmdlet that runs one thing in a sandbox: a program with its arguments, or a script block in a
/// child pwsh (Invoke-Sandboxed, Trace-LandlockAccess). The parameters are the same in both, so the
/// same words start the same run under either.
/// </summary>
public abstract class ProgramOrScriptCmdlet : SandboxLaunchCmdlet
{
    protected const string FilePathSet = "FilePath";
    protected const string ScriptBlockSet = "ScriptBlock";

    /// <summary>The longest -TimeoutSec and -KillAfterSec (about 24 days): the most milliseconds a timer counts in an int.</summary>
    protected const int MaximumSeconds = int.MaxValue / 1000;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FilePathSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ExecutableCompleter))]
    public string FilePath { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ScriptBlockSet)]
    [ValidateNotNull]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    [Parameter(Position = 1, ValueFromRemainingArguments = true)]
    [AllowEmptyCollection]
    [AllowNull]
    [Alias("Args")]
    public object?[] ArgumentList { get; set; } = [];

    /// <summary>True when the call names a script block rather than a program.</summary>
    protected bool IsScriptBlock => ParameterSetName == ScriptBlockSet;
}
