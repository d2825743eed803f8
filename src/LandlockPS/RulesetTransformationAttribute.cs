using System.Collections;
using System.Linq;
using System.Management.Automation;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;

namespace LandlockPS;

/// <summary>
/// Accepts a ruleset that went through serialization (Export-Clixml / Import-Clixml, remoting
/// arguments): it arrives as a property bag typed "Deserialized.LandlockPS...LandlockRuleset" and is
/// rebuilt here through the model's own validation, so a tampered file cannot slip anything past it.
/// </summary>
public sealed class RulesetTransformationAttribute : ArgumentTransformationAttribute
{
    private const string DeserializedTypeName = "Deserialized." + "LandlockPS.Core.Landlock.LandlockRuleset";

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if (inputData is not PSObject bag || bag.BaseObject is LandlockRuleset || !bag.TypeNames.Contains(DeserializedTypeName))
        {
            return inputData;
        }
        try
        {
            return Rebuild(bag);
        }
        catch (LandlockException e)
        {
            throw new ArgumentTransformationMetadataException($"The deserialized ruleset is not valid: {ErrorHelper.InPowerShellTerms(e).Message}", e);
        }
        catch (PSInvalidCastException e)
        {
            throw new ArgumentTransformationMetadataException($"The deserialized ruleset has a value of the wrong kind: {e.Message}", e);
        }
    }

    private static LandlockRuleset Rebuild(PSObject bag)
    {
        var ruleset = new LandlockRuleset(
            Get<LandlockAbi>(bag, nameof(LandlockRuleset.Abi)),
            Get<LandlockAccessFs>(bag, nameof(LandlockRuleset.HandledAccessFs)),
            Get<LandlockAccessNet>(bag, nameof(LandlockRuleset.HandledAccessNet)),
            Get<LandlockScope>(bag, nameof(LandlockRuleset.Scope)),
            Get<CompatibilityLevel>(bag, nameof(LandlockRuleset.CompatibilityLevel)),
            Get<LandlockRestrictFlags>(bag, nameof(LandlockRuleset.LogFlags)),
            bag.Properties[nameof(LandlockRuleset.Name)]?.Value as string,
            GetOrDefault<LandlockAccessFs>(bag, nameof(LandlockRuleset.QuietAccessFs)),
            GetOrDefault<LandlockAccessNet>(bag, nameof(LandlockRuleset.QuietAccessNet)),
            GetOrDefault<LandlockScope>(bag, nameof(LandlockRuleset.QuietScope)));
        foreach (PSObject rule in Items(bag, nameof(LandlockRuleset.PathRules)))
        {
            ruleset.AddPathRule(Get<string>(rule, nameof(LandlockPathRule.Path)), Get<LandlockAccessFs>(rule, nameof(LandlockPathRule.Access)),
                GetOrDefault<bool>(rule, nameof(LandlockPathRule.Quiet)));
        }
        foreach (PSObject rule in Items(bag, nameof(LandlockRuleset.NetRules)))
        {
            ruleset.AddNetRule(Get<int>(rule, nameof(LandlockNetRule.Port)), Get<LandlockAccessNet>(rule, nameof(LandlockNetRule.Access)),
                GetOrDefault<bool>(rule, nameof(LandlockNetRule.Quiet)));
        }
        // Re-added rather than just relabelled, so the name always means its rules are in the ruleset.
        foreach (PSObject profile in Items(bag, nameof(LandlockRuleset.Profiles)))
        {
            ruleset.AddProfile(LanguagePrimitives.ConvertTo<LandlockProfileName>(profile.BaseObject));
        }
        return ruleset;
    }

    private static T Get<T>(PSObject bag, string name)
    {
        object? value = bag.Properties[name]?.Value
            ?? throw new ArgumentTransformationMetadataException($"The deserialized ruleset has no {name}.");
        return LanguagePrimitives.ConvertTo<T>(value is PSObject wrapped ? wrapped.BaseObject : value);
    }

    // Settings a ruleset serialized by an older module does not carry (the quiet ones) mean none.
    private static T? GetOrDefault<T>(PSObject bag, string name) =>
        bag.Properties[name]?.Value is null ? default : Get<T>(bag, name);

    private static PSObject[] Items(PSObject bag, string name) =>
        bag.Properties[name]?.Value is { } value
            ? LanguagePrimitives.GetEnumerable(value)?.Cast<object>().Select(PSObject.AsPSObject).ToArray() ?? []
            : [];
}
