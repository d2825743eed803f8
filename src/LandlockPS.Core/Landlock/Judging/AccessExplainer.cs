using System.Collections.Generic;
using System.Linq;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// Explains, without confining anything, what a ruleset lets a confined process do with a path, by the
/// kernel's own reasoning: rules attach to inodes, a directory rule covers everything beneath it, the rules
/// met walking up from the real (symlink-resolved) path add up, unhandled rights are never restricted, and
/// rights to create or remove an entry are checked on the directory that holds it.
/// </summary>
public static class AccessExplainer
{
    /// <summary>
    /// Resolves -Access values: a group stands for its rights in the ruleset's ABI; other rights are taken
    /// as given (one the ruleset does not handle is explained as unrestricted, not refused).
    /// </summary>
    public static LandlockAccessFs ResolveRequested(LandlockRuleset ruleset, IEnumerable<LandlockAccessFs> values)
    {
        (LandlockAccessFs fromGroups, LandlockAccessFs explicitRights) = AccessGroups.Resolve(values, AbiFeatures.Of(ruleset.Abi).AccessFs);
        LandlockAccessFs requested = fromGroups | explicitRights;
        return requested != LandlockAccessFs.None
            ? requested
            : throw new LandlockAccessException("AccessNotApplicable", "Name at least one right to test, for example ReadFile, or a group such as ReadOnly.");
    }

    /// <summary>
    /// Explains <paramref name="requested"/> on <paramref name="fullPath"/> (absolute) under
    /// <paramref name="ruleset"/> on this kernel (<paramref name="support"/>: asked now when null).
    /// </summary>
    public static LandlockAccessExplanation Explain(LandlockRuleset ruleset, string path, string fullPath,
        LandlockAccessFs requested, LandlockSupport? support = null)
    {
        support ??= LandlockSupport.Query();
        AccessTarget target = AccessTarget.Inspect(fullPath);
        var notes = new List<string>(target.Notes);
        IReadOnlyList<RuleAnchor> anchors = RuleAnchor.Resolve(ruleset, notes);
        return Judge(ruleset, support.EffectiveAbi, anchors, target with { Notes = notes }, path, requested);
    }

    internal static LandlockAccessExplanation Judge(LandlockRuleset ruleset, LandlockAbi? kernelAbi,
        IReadOnlyList<RuleAnchor> anchors, AccessTarget target, string path, LandlockAccessFs requested)
    {
        var judge = new AccessJudge(ruleset, kernelAbi, anchors, target);
        LandlockRightVerdict[] rights = SingleRights(requested).Select(judge.Judge).ToArray();
        return new LandlockAccessExplanation(path, target, requested, ruleset.HandledAccessFs, rights, Suggest(ruleset, target, rights));
    }

    /// <summary>
    /// One rule per place where something is denied; for Refer the ruleset must handle it first. A missing
    /// path judged on '/' gets its rule on the folder (or file) below '/' that it needs, to add once that
    /// exists: a rule on '/' itself would grant the rights on the whole file system.
    /// </summary>
    private static IReadOnlyList<LandlockAccessFix> Suggest(LandlockRuleset ruleset, AccessTarget target, IEnumerable<LandlockRightVerdict> rights)
    {
        string? belowRoot = target.Type == LandlockPathType.Missing ? TopComponent(target.FullPath) : null;
        // No rule grants what Landlock's inspection check denies.
        LandlockRightVerdict[] denied = rights.Where(r => r.Verdict == LandlockAccessVerdict.Denied && r.Reason != TracedProcessEntries.Reason).ToArray();
        bool referUnhandled = (ruleset.HandledAccessFs & LandlockAccessFs.Refer) == 0;
        var fixes = new List<LandlockAccessFix>();
        if (referUnhandled && denied.Any(r => r.Right == LandlockAccessFs.Refer)) fixes.Add(new(LandlockAccessFs.Refer, null));
        foreach (IGrouping<string, LandlockRightVerdict> place in denied
            .Where(r => !(referUnhandled && r.Right == LandlockAccessFs.Refer))
            .GroupBy(r => r.JudgedOn))
        {
            LandlockAccessFs access = place.Aggregate(LandlockAccessFs.None, (all, r) => all | r.Right);
            fixes.Add(place.Key == "/" && belowRoot is not null ? new(access, belowRoot) { PathMissing = true } : new(access, place.Key));
        }
        return fixes;
    }

    // "/srv" for "/srv/app/data"; null for "/" itself, or when the first component is "." or "..", which
    // do not name a folder to create.
    private static string? TopComponent(string fullPath)
    {
        string first = fullPath.Split('/', System.StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
        return first is "" or "." or ".." ? null : "/" + first;
    }

    private static IEnumerable<LandlockAccessFs> SingleRights(LandlockAccessFs access)
    {
        for (int bit = 0; bit < 64; bit++)
        {
            var right = (LandlockAccessFs)(1UL << bit);
            if ((access & right) != 0) yield return right;
        }
    }
}
