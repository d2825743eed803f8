using System.Management.Automation;

namespace LandlockPS;

/// <summary>
/// -Ruleset of the cmdlets that add rules must not be null, and says why it might be: the commands
/// LandlockPS suggests (a fix, a flagged rule) name their ruleset $ruleset, which a pasted command finds
/// unset when the reader's ruleset is in a variable of another name. ValidateNotNull only said that the
/// argument is null.
/// </summary>
public sealed class ValidateRulesetAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is null || (arguments is PSObject { BaseObject: null }))
        {
            throw new ValidationMetadataException(
                "The ruleset is null. A command LandlockPS suggests (a fix, a flagged rule) adds to the ruleset in $ruleset: " +
                "set $ruleset to yours first ($ruleset = $rs), or put your own variable in its place.");
        }
    }
}
