using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Observe;

/// <summary>
/// Judges observed accesses against a ruleset with Test-LandlockAccess's reasoning (the observer sees
/// calls, not the kernel's answers): whether the ruleset allows each, why, and the rule that would.
/// The file system is looked at as it is now, after the run: a file the run made and removed is
/// judged as one to create where it was.
/// </summary>
public static class AccessVerdicts
{
    /// <summary>Each event with <see cref="LandlockAccessEvent.Allowed"/>, its reason and, when denied, the fix.</summary>
    public static IReadOnlyList<LandlockAccessEvent> Judge(IEnumerable<LandlockAccessEvent> events, LandlockRuleset ruleset, LandlockSupport? support = null)
    {
        support ??= LandlockSupport.Query();
        var notes = new List<string>();
        // The rule paths are opened once for every event, not once per event.
        IReadOnlyList<RuleAnchor> anchors = RuleAnchor.Resolve(ruleset, notes);
        // An implicit access was covered by a rule LandlockPS added (which may be gone by now, with a
        // script block's scratch home): allowed, whatever the caller's own ruleset says.
        return events.Select(e => e.Implicit ? e with { Allowed = true, Reason = ImplicitReason }
                : e.Emulation != LandlockEmulation.None ? JudgeEmulated(e)
                : e.Path is { } path && e.Access != LandlockAccessFs.None ? JudgePath(e, path, ruleset, support.EffectiveAbi, anchors)
                : JudgePort(e, ruleset, support.EffectiveAbi))
            .ToArray();
    }

    private const string ImplicitReason = "Allowed by an implicit rule: LandlockPS added it for the child pwsh's own needs.";

    /// <summary>The events the ruleset denies, most frequent first, for -ExplainDenials.</summary>
    public static IReadOnlyList<LandlockAccessEvent> Denials(IEnumerable<LandlockAccessEvent> events, LandlockRuleset ruleset, LandlockSupport? support = null) =>
        Judge(events, ruleset, support).Where(e => e.Allowed == false).OrderByDescending(e => e.Count).ToArray();

    private static LandlockAccessEvent JudgePath(LandlockAccessEvent e, string path, LandlockRuleset ruleset, LandlockAbi? kernelAbi, IReadOnlyList<RuleAnchor> anchors)
    {
        LandlockAccessExplanation verdict = AccessExplainer.Judge(ruleset, kernelAbi, anchors, AccessTarget.Inspect(path), path, e.Access);
        IEnumerable<LandlockRightVerdict> shown = verdict.Allowed ? verdict.Rights : verdict.Rights.Where(r => r.Verdict == LandlockAccessVerdict.Denied);
        return e with
        {
            Allowed = verdict.Allowed,
            DeniedAccess = verdict.DeniedAccess,
            Reason = string.Join(" ", shown.Select(r => $"{r.Right}: {r.Reason}").Distinct()),
            Fixes = verdict.Fixes.Select(OutsideProc).ToArray(),
        };
    }

    // A rule is built on the inode its path names when the ruleset is built: one on /proc/<pid> (or on
    // /proc/self, /proc/mounts...) would name this session's process, or one long gone, never the next
    // run's. What a program reads of its own /proc is granted by a rule on /proc.
    private static LandlockAccessFix OutsideProc(LandlockAccessFix fix) =>
        fix.Path is { } path && path.StartsWith("/proc/", System.StringComparison.Ordinal) ? fix with { Path = "/proc" } : fix;

    // LandlockPS's own filter failed the call (the observer answered it so): no rule of the ruleset
    // could have allowed it, and the way out is to leave the class to the kernel.
    private static LandlockAccessEvent JudgeEmulated(LandlockAccessEvent e) => e with
    {
        Allowed = false,
        DeniedAccess = e.Access,
        Reason = EmulatedCalls.Reason(e.Emulation),
        Fixes = [LandlockAccessFix.LiftEmulation(e.Emulation, e.Access, e.NetAccess)],
    };

    private static LandlockAccessEvent JudgePort(LandlockAccessEvent e, LandlockRuleset ruleset, LandlockAbi? kernelAbi)
    {
        LandlockAccessNet requested = e.NetAccess;
        LandlockAccessNet enforced = ruleset.HandledAccessNet & (kernelAbi is { } abi ? AbiFeatures.Of(abi).AccessNet : LandlockAccessNet.None);
        if ((ruleset.HandledAccessNet & requested) != requested)
        {
            return e with { Allowed = true, Reason = $"The ruleset does not handle {requested}, so Landlock does not restrict it." };
        }
        if ((enforced & requested) != requested)
        {
            return e with { Allowed = true, Reason = $"This kernel cannot enforce {requested}, which needs {AbiFeatures.FirstProviding(requested)}." };
        }
        LandlockNetRule? rule = ruleset.NetRules.FirstOrDefault(r => r.Port == e.Port && (r.Access & requested) == requested);
        return rule is not null
            ? e with { Allowed = true, Reason = $"Granted by the rule {rule}." }
            : e with { Allowed = false, Reason = $"No rule grants {requested} on port {e.Port}." };
    }
}
