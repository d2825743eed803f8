using System.Collections.Generic;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// A path rule as the kernel holds it: attached to the inode its path leads to when the ruleset is
/// built (a rule on a symlink attaches to the target), granting only what applies to that inode.
/// </summary>
internal sealed record RuleAnchor(LandlockPathRule Rule, InodeId Inode, bool IsDirectory, string AttachedTo)
{
    /// <summary>What the rule grants under <paramref name="enforced"/>: a file gets no directory-only rights (as <see cref="RulesetCompiler"/> masks them).</summary>
    internal LandlockAccessFs Grants(LandlockAccessFs enforced) =>
        Rule.Access & enforced & (IsDirectory ? LandlockAccessFs.ReadWriteExecute : AccessGroups.FileApplicable);

    /// <summary>How the rule reads in a reason: its path, and where it attaches when a symlink led elsewhere.</summary>
    internal string Describe() =>
        AttachedTo == Rule.Path ? Rule.ToString() : $"{Rule} (attached to {AttachedTo})";

    /// <summary>Anchors the rules of <paramref name="ruleset"/> as they stand now; a rule whose path is gone is noted and left out.</summary>
    internal static IReadOnlyList<RuleAnchor> Resolve(LandlockRuleset ruleset, ICollection<string> notes)
    {
        var anchors = new List<RuleAnchor>();
        foreach (LandlockPathRule rule in ruleset.PathRules)
        {
            if (!PathLookup.TryStat(rule.Path, out LibC.StatxBuffer status, out int errno))
            {
                notes.Add($"The rule path '{rule.Path}' cannot be opened now: {PathLookup.Failure(errno)}. A launch with this ruleset fails until it can.");
                continue;
            }
            string attachedTo = PathLookup.RealPath(rule.Path, out _) ?? rule.Path;
            anchors.Add(new RuleAnchor(rule, InodeId.Of(status), status.IsDirectory, attachedTo));
        }
        return anchors;
    }
}
