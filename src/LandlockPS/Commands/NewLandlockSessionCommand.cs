using System.Management.Automation;
using System.Management.Automation.Runspaces;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;
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

    /// <summary>Trace the session for its whole life: Get-LandlockSessionDenial reads what its ruleset denied, and its end shows each denial once, with its fix.</summary>
    [Parameter]
    public SwitchParameter ExplainDenials { get; set; }

    protected override void ProcessRecord()
    {
        string workingDirectory = ResolveWorkingDirectory();
        PwshLaunch launch = SandboxRunspace.LaunchFor(this, Ruleset, !NoImplicitRules, BuildEnvironment(),
            workingDirectory, KeepCapabilities, AllowUnconfined, shortLived: false) with
        {
            Limits = ReceiveLimits.From(this, MaximumReceivedObjectSize, MaximumReceivedDataSizePerCommand),
            HostAccess = HostAccess,
            Observer = ExplainDenials ? new AccessObserver() : null,
        };
        try
        {
            (Runspace runspace, SandboxSessionState state) = OpenObserved(launch);
            try
            {
                if (state.Process is { } process)
                {
                    WriteVerbose($"Started the sandboxed pwsh (pid {process.ProcessId}): {process.Enforcement.Status}.");
                    WriteVerbose(RulesetText.Containment(process));
                    if (process.Enforcement.Emulated != LandlockEmulation.None) WriteVerbose($"Emulated: {process.Enforcement.DescribeEmulation()}");
                    foreach (string line in state.ImplicitRulesText()) WriteVerbose(line);
                    WarnAboutEnforcement(process.Enforcement);
                    WarnAboutWritableSeams(process, Ruleset);
                }
                PSSession session = PSSession.Create(runspace, "LandlockPS", this);
                if (Name is not null) session.Name = Name;
                if (launch.Observer is { } observer)
                {
                    SandboxRunspace.BeginObservedWork(runspace, observer);
                    state.Denials = new SessionDenials(observer, Ruleset, state, WarningsShown() ? Host : null, session.Name);
                }
                WriteObject(WithStatus(session, state));
            }
            catch
            {
                // Nobody holds the session yet: its child, home and observer must not outlive this failure.
                runspace.Dispose();
                launch.Observer?.Dispose();
                throw;
            }
        }
        catch (LandlockException e)
        {
            WriteError(ErrorHelper.FromException(e, Ruleset));
        }
    }

    // The session ends long after this call, in Remove-PSSession: the warnings it then shows follow
    // the preference this call had (-WarningAction SilentlyContinue: read them with Get-LandlockSessionDenial).
    private bool WarningsShown() => SessionWarnings.Preference(this) is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

    // Until the session holds the observer (and ends it with itself), a failed start ends it here.
    private (Runspace, SandboxSessionState) OpenObserved(PwshLaunch launch)
    {
        try
        {
            return SandboxRunspace.Open(this, launch, Name, new SandboxHost(Host, HostAccess, recordsViaStreams: false));
        }
        catch
        {
            launch.Observer?.Dispose();
            throw;
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
