using System.Management.Automation;
using System.Management.Automation.Runspaces;
using LandlockPS.Core.Observe;
using LandlockPS.Remoting;

namespace LandlockPS.Commands;

/// <summary>
/// Emits what the ruleset of a session started with New-LandlockSession -ExplainDenials has denied so
/// far (after the session ended: all it denied), one event per distinct access, most frequent first,
/// each with the rule that would allow it.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LandlockSessionDenial")]
[OutputType(typeof(LandlockAccessEvent))]
public sealed class GetLandlockSessionDenialCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public PSSession[] Session { get; set; } = null!;

    protected override void ProcessRecord()
    {
        foreach (PSSession session in Session)
        {
            if (session.Runspace.ConnectionInfo is not SandboxConnectionInfo connection)
            {
                WriteError(ErrorHelper.Create("SessionNotSandboxed",
                    $"The session '{session.Name}' was not made by New-LandlockSession: only a LandlockPS session started with -ExplainDenials has denials to read.", session));
                continue;
            }
            if (connection.State.Denials is not { } denials)
            {
                WriteError(ErrorHelper.Create("SessionNotTraced",
                    $"The session '{session.Name}' was started without -ExplainDenials. Start one with New-LandlockSession -ExplainDenials to see what its ruleset denies.", session));
                continue;
            }
            if (denials.LostWarning is { } lost) WriteWarning(lost);
            foreach (LandlockAccessEvent denial in denials.Current()) WriteObject(AsDenial(denial));
        }
    }

    // Shown by the view for denials: what was denied, where, and the fix (the event's own view has no room for it).
    private static PSObject AsDenial(LandlockAccessEvent denial)
    {
        var shown = new PSObject(denial);
        shown.TypeNames.Insert(0, DenialTypeName);
        return shown;
    }

    private const string DenialTypeName = "LandlockPS.Core.Observe.LandlockAccessEvent#Denial";
}
