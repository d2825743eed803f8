using System.Linq;
using System.Management.Automation;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Commands;

/// <summary>Allows binding to or connecting to TCP/UDP ports in a ruleset.</summary>
[Cmdlet(VerbsCommon.Add, "LandlockNetRule")]
[OutputType(typeof(LandlockRuleset))]
public sealed class AddLandlockNetRuleCommand : PSCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [RulesetTransformation]
    [ValidateRuleset]
    public LandlockRuleset Ruleset { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0)]
    [PortTransformation]
    [ValidateNotNullOrEmpty]
    public int[] Port { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 1)]
    public LandlockAccessNet Access { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        // Checked up front so a bad port leaves the ruleset as it was.
        int[] invalid = Port.Where(p => p is < 0 or > LandlockNetRule.MaxPort).ToArray();
        if (invalid.Length > 0)
        {
            ThrowTerminatingError(ErrorHelper.Create("InvalidPort",
                $"{PortList(invalid)} out of range: a port is a number from 0 to {LandlockNetRule.MaxPort}.", invalid));
        }
        try
        {
            foreach (int port in Port)
            {
                LandlockNetRule rule = Ruleset.AddNetRule(port, Access);
                WriteVerbose($"Allowing {AccessText.FormatFlags(Access)} on port {port} (the rule now grants {AccessText.FormatFlags(rule.Access)}).");
            }
        }
        catch (LandlockException e)
        {
            ThrowTerminatingError(ErrorHelper.FromException(e, Access));
        }
        if (PassThru) WriteObject(Ruleset);
    }

    // A few of the bad ports, and how many more: a range such as 1..70000 would otherwise fill the screen.
    private const int PortsShown = 5;

    private static string PortList(int[] ports) => ports.Length switch
    {
        1 => $"Port {ports[0]} is",
        <= PortsShown => $"Ports {string.Join(", ", ports)} are",
        _ => $"Ports {string.Join(", ", ports.Take(PortsShown))} and {ports.Length - PortsShown} more are",
    };
}
