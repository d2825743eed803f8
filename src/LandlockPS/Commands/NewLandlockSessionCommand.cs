using System.Management.Automation;
using System.Management.Automation.Runspaces;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;
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

    /// <summary>The largest object the child may send back, in bytes (0: no limit); default: $PSSessionOption's, else 200 MB.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? MaximumReceivedObjectSize { get; set; }

    /// <summary>The most one command may send back, in bytes (0: no limit); default: $PSSessionOption's, else no limit.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? MaximumReceivedDataSizePerCommand { get; set; }

    [Parameter]
    public SandboxHostAccess HostAccess { get; set; }

    protected override void ProcessRecord()
    {
        string workingDirectory = ResolveWorkingDirectory();
        PwshLaunch launch = SandboxRunspace.LaunchFor(this, Ruleset, !NoImplicitRules, BuildEnvironment(),
            workingDirectory, KeepCapabilities, AllowUnconfined, shortLived: false) with
        {
            Limits = ReceiveLimits.From(this, MaximumReceivedObjectSize, MaximumReceivedDataSizePerCommand),
            HostAccess = HostAccess,
        };
        try
        {
            (Runspace runspace, SandboxSessionState state) = SandboxRunspace.Open(this, launch, Name, new SandboxHost(Host, HostAccess, recordsViaStreams: false));
            try
            {
                if (state.Process is { } process)
                {
                    WriteVerbose($"Started the sandboxed pwsh (pid {process.ProcessId}): {process.Enforcement.Status}.");
                    WriteVerbose(RulesetText.Containment(process));
                    if (process.Enforcement.Emulated != LandlockEmulation.None) WriteVerbose($"Emulated: {process.Enforcement.DescribeEmulation()}");
                    WarnAboutEnforcement(process.Enforcement);
                    WarnIfWritesHomes(Ruleset);
                }
                PSSession session = PSSession.Create(runspace, "LandlockPS", this);
                if (Name is not null) session.Name = Name;
                WriteObject(WithStatus(session, state));
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

    // A session has no result object: what confines it and what holds its processes ride on it, for as long as it lives.
    private static PSObject WithStatus(PSSession session, SandboxSessionState state)
    {
        PSObject wrapped = PSObject.AsPSObject(session);
        wrapped.Properties.Add(new PSNoteProperty("ImplicitRules", state.ImplicitRules));
        if (state.Process is not { } process) return wrapped;
        wrapped.Properties.Add(new PSNoteProperty("Enforcement", process.Enforcement));
        wrapped.Properties.Add(new PSNoteProperty("Containment", process.Containment));
        wrapped.Properties.Add(new PSNoteProperty("ContainmentDetail", process.ContainmentDetail));
        return wrapped;
    }
}
