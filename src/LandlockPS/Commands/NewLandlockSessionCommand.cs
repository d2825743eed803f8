using System.Management.Automation;
using System.Management.Automation.Runspaces;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Remoting;

namespace LandlockPS.Commands;

/// <summary>Starts a confined child pwsh and returns a PSSession to it.</summary>
[Cmdlet(VerbsCommon.New, "LandlockSession")]
[OutputType(typeof(PSSession))]
public sealed class NewLandlockSessionCommand : SandboxLaunchCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    [RulesetTransformation]
    [ValidateNotNull]
    public LandlockRuleset Ruleset { get; set; } = null!;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public SwitchParameter NoImplicitRules { get; set; }

    protected override void ProcessRecord()
    {
        string workingDirectory = ResolveWorkingDirectory();
        PwshLaunch launch = SandboxRunspace.LaunchFor(this, Ruleset, !NoImplicitRules, BuildEnvironment(),
            workingDirectory, KeepCapabilities, AllowUnconfined, shortLived: false);
        try
        {
            (Runspace runspace, SandboxSessionState state) = SandboxRunspace.Open(this, launch, Name, Host);
            try
            {
                if (state.Process is { } process)
                {
                    WriteVerbose($"Started the sandboxed pwsh (pid {process.ProcessId}): {process.Enforcement.Status}.");
                    WriteVerbose(RulesetText.Containment(process));
                    if (process.Enforcement.Emulated != LandlockEmulation.None) WriteVerbose($"Emulated: {process.Enforcement.DescribeEmulation()}");
                }
                PSSession session = PSSession.Create(runspace, "LandlockPS", this);
                if (Name is not null) session.Name = Name;
                WriteObject(session);
            }
            catch
            {
                // Nobody holds the session yet: its child and home must not outlive this failure.
                runspace.Dispose();
                throw;
            }
        }
        catch (LandlockException e)
        {
            WriteError(ErrorHelper.FromException(e, Ruleset));
        }
    }
}
