using System.Collections.Generic;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// A named bundle of rules for a common need, with what it is for and what it exposes. The rules are
/// exact: the rights a profile grants on each path and port, before a ruleset narrows them to what it
/// handles (see <see cref="LandlockProfiles.AddProfile"/>).
/// </summary>
public sealed class LandlockProfile
{
    internal LandlockProfile(
        LandlockProfileName name, string description, string caveat,
        IReadOnlyList<LandlockPathRule> pathRules, IReadOnlyList<LandlockNetRule> netRules)
    {
        Name = name;
        Description = description;
        Caveat = caveat;
        PathRules = pathRules;
        NetRules = netRules;
    }

    /// <summary>The profile's name.</summary>
    public LandlockProfileName Name { get; }

    /// <summary>What the profile is for.</summary>
    public string Description { get; }

    /// <summary>What the profile exposes beyond its purpose, or what it cannot restrict.</summary>
    public string Caveat { get; }

    /// <summary>Its path rules (absent paths are skipped when it is applied).</summary>
    public IReadOnlyList<LandlockPathRule> PathRules { get; }

    /// <summary>Its port rules.</summary>
    public IReadOnlyList<LandlockNetRule> NetRules { get; }

    /// <inheritdoc/>
    public override string ToString() => Name.ToString();

    /// <summary>
    /// Adds each rule to <paramref name="ruleset"/>, granting only what it handles: a right it does not
    /// handle is never restricted, so leaving it out of the rule takes nothing away. A path missing on
    /// this machine is skipped, as with -IgnoreMissing, so one profile fits every distribution.
    /// </summary>
    internal IReadOnlyList<LandlockProfileOutcome> ApplyTo(LandlockRuleset ruleset)
    {
        var outcomes = new List<LandlockProfileOutcome>(PathRules.Count + NetRules.Count);
        foreach (LandlockPathRule rule in PathRules)
        {
            outcomes.Add(ApplyPathRule(ruleset, rule));
        }
        foreach (LandlockNetRule rule in NetRules)
        {
            outcomes.Add(ApplyNetRule(ruleset, rule));
        }
        return outcomes;
    }

    private LandlockProfileOutcome ApplyPathRule(LandlockRuleset ruleset, LandlockPathRule rule)
    {
        RuleTargetKind kind = ruleset.AddPathRuleIfPresent(rule.Path, rule.Access, out LandlockAccessFs granted, out string? problem);
        string? unusable = kind switch
        {
            RuleTargetKind.Missing => "it does not exist on this machine",
            RuleTargetKind.Inaccessible => problem,
            _ => granted == LandlockAccessFs.None ? NotHandled : null,
        };
        if (unusable is not null) return new(Name, rule.ToString(), unusable);
        string leftOut = LeftOut(AccessText.FormatFlags(rule.Access & ~granted & ~ruleset.HandledAccessFs));
        return new(Name, $"{AccessText.Format(granted, ruleset.HandledAccessFs)} on {rule.Path}{leftOut}", null);
    }

    private LandlockProfileOutcome ApplyNetRule(LandlockRuleset ruleset, LandlockNetRule rule)
    {
        LandlockAccessNet granted = rule.Access & ruleset.HandledAccessNet;
        if (granted == LandlockAccessNet.None) return new(Name, rule.ToString(), NotHandled);
        ruleset.AddNetRule(rule.Port, granted);
        return new(Name, new LandlockNetRule(rule.Port, granted) + LeftOut(AccessText.FormatFlags(rule.Access & ~granted)), null);
    }

    private const string NotHandled = "the ruleset handles none of these rights, so they are not restricted anyway";

    private static string LeftOut(string rights) =>
        rights == "None" ? string.Empty : $" (not {rights}: unhandled, so not restricted)";
}
