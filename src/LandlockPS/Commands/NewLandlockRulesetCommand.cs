using System.Management.Automation;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Commands;

/// <summary>Creates a ruleset description; by default it denies everything the chosen ABI can restrict.</summary>
[Cmdlet(VerbsCommon.New, "LandlockRuleset")]
[OutputType(typeof(LandlockRuleset))]
public sealed class NewLandlockRulesetCommand : PSCmdlet
{
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public LandlockAbi Abi { get; set; } = AbiFeatures.Newest;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public LandlockAccessFs[]? HandledAccessFs { get; set; }

    [Parameter]
    public LandlockAccessNet? HandledAccessNet { get; set; }

    [Parameter]
    public LandlockScope? Scope { get; set; }

    [Parameter]
    public CompatibilityLevel CompatibilityLevel { get; set; } = CompatibilityLevel.BestEffort;

    [Parameter]
    public LandlockRestrictFlags LogFlags { get; set; } = LandlockRestrictFlags.None;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public LandlockProfileName[]? Profile { get; set; }

    protected override void EndProcessing()
    {
        try
        {
            var ruleset = new LandlockRuleset(Abi, ResolveHandledFs(), HandledAccessNet, Scope, CompatibilityLevel, LogFlags, Name);
            ruleset.RequireHandlesSomething();
            if (!MyInvocation.BoundParameters.ContainsKey(nameof(Abi)))
            {
                WriteVerbose($"The ruleset defaults to ABI {Abi}, the newest this module knows: it handles what {Abi} can restrict unless told otherwise. " +
                    "A newer module's default handles more (see ABI UPGRADES in about_LandlockPS): pin -Abi in scripts to keep this meaning.");
            }
            foreach (LandlockProfileName profile in Profile ?? [])
            {
                foreach (LandlockProfileOutcome outcome in ruleset.AddProfile(profile))
                {
                    WriteVerbose(outcome.ToString());
                }
            }
            WriteObject(ruleset);
        }
        catch (LandlockException e)
        {
            ThrowTerminatingError(ErrorHelper.FromException(e, this));
        }
    }

    // Groups mean "that group within the pinned ABI"; explicit rights are kept as named so the
    // ruleset can reject those the ABI lacks.
    private LandlockAccessFs? ResolveHandledFs()
    {
        if (HandledAccessFs is null) return null;
        (LandlockAccessFs fromGroups, LandlockAccessFs explicitRights) =
            AccessGroups.Resolve(HandledAccessFs, AbiFeatures.Of(Abi).AccessFs);
        return fromGroups | explicitRights;
    }
}
