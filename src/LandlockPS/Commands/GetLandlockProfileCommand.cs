using System.Linq;
using System.Management.Automation;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Commands;

/// <summary>Lists the profiles (named rule bundles) that New-LandlockRuleset -Profile adds, with their exact rules.</summary>
[Cmdlet(VerbsCommon.Get, "LandlockProfile")]
[OutputType(typeof(LandlockProfile))]
public sealed class GetLandlockProfileCommand : PSCmdlet
{
    // From the pipeline too, so a ruleset's Profiles can be piped in to see what they granted.
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public LandlockProfileName[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        foreach (LandlockProfile profile in Name is null ? LandlockProfiles.All : Name.Select(LandlockProfiles.Get))
        {
            WriteObject(profile);
        }
    }
}
