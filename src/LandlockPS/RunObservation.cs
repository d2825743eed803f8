using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;

namespace LandlockPS;

/// <summary>
/// What a traced run's observer saw, once the run is over: the events (with a warning when some were
/// not recorded), and for -ExplainDenials the ones the run's ruleset denies, one warning each.
/// </summary>
internal static class RunObservation
{
    // The run's processes are gone when its result is reported, so the observer's listener hangs up
    // at once; only a process that escaped the run's containment keeps it open.
    private const int EndMilliseconds = 2000;

    /// <summary>Stops <paramref name="observer"/> once the run is over and returns what it saw.</summary>
    internal static IReadOnlyList<LandlockAccessEvent> Collect(PSCmdlet cmdlet, AccessObserver observer) =>
        Collect(observer, cmdlet.WriteWarning, "raise Trace-LandlockAccess -MaximumAccessCount");

    /// <summary>
    /// Stops <paramref name="observer"/> once the work is over and returns what it saw; what the caller
    /// must know of it (a process that outlived it, calls not recorded) goes to <paramref name="warn"/>,
    /// the latter with <paramref name="remedy"/>, how else to see them all.
    /// </summary>
    internal static IReadOnlyList<LandlockAccessEvent> Collect(AccessObserver observer, Action<string> warn, string remedy)
    {
        if (!observer.WaitForEnd(EndMilliseconds))
        {
            warn("A process of the traced run outlived it (it left the run's process group): it is no longer traced, " +
                "and the calls it makes from now on that the trace stopped fail with ENOSYS.");
        }
        observer.Dispose();
        if (LostWarning(observer, remedy) is { } lost) warn(lost);
        return observer.Events();
    }

    /// <summary>What the caller must know when <paramref name="observer"/> could not record every access; null when it could.</summary>
    internal static string? LostWarning(AccessObserver observer, string remedy) => observer.LostAccesses > 0
        ? $"{observer.LostAccesses} call(s) were not recorded: the run made more than {observer.MaximumAccesses} distinct accesses. " +
          $"What is reported is incomplete: trace a smaller part of the work, or {remedy}."
        : null;

    /// <summary>
    /// The run's accesses that <paramref name="ruleset"/> (with the rules LandlockPS <paramref name="added"/> to
    /// it for the run) denies, each written as one warning with its fix; empty when nothing was denied.
    /// </summary>
    internal static IReadOnlyList<LandlockAccessEvent> ExplainDenials(PSCmdlet cmdlet, AccessObserver observer, LandlockRuleset ruleset,
        IReadOnlyList<LandlockPathRule> added)
    {
        IReadOnlyList<LandlockAccessEvent> denials = Denials(Collect(cmdlet, observer), ruleset, added);
        foreach (LandlockAccessEvent denial in denials) cmdlet.WriteWarning(Describe(denial));
        return denials;
    }

    /// <summary>
    /// The accesses among <paramref name="events"/> that <paramref name="ruleset"/> with the <paramref name="added"/>
    /// rules denies, most frequent first, each with its fix rendered. What the added rules cover is
    /// allowed by them, and may be gone by now (a script block's scratch home); what a child pwsh did
    /// while it started up is its own: neither is judged.
    /// </summary>
    internal static IReadOnlyList<LandlockAccessEvent> Denials(IEnumerable<LandlockAccessEvent> events, LandlockRuleset ruleset, IReadOnlyList<LandlockPathRule> added)
    {
        IEnumerable<LandlockAccessEvent> own = ImplicitAccesses.Mark(events, added).Where(e => !e.Implicit && !e.Startup);
        return AccessFixText.WithSuggestions(AccessVerdicts.Denials(own, WithRules(ruleset, added)));
    }

    /// <summary><paramref name="ruleset"/> as the run really had it: with the rules LandlockPS added (a copy; the caller's stays as it was).</summary>
    internal static LandlockRuleset WithRules(LandlockRuleset ruleset, IReadOnlyList<LandlockPathRule> added)
    {
        if (added.Count == 0) return ruleset;
        LandlockRuleset effective = ruleset.Clone();
        foreach (LandlockPathRule rule in added) effective.AddPathRuleIfPresent(rule.Path, rule.Access, out _, out _);
        return effective;
    }

    /// <summary>One denial in a line a person can act on: what, where, who, how often, and the fix. The path came from the sandbox: every control character in it is shown as a symbol.</summary>
    internal static string Describe(LandlockAccessEvent denial)
    {
        string what = denial.Emulation != LandlockEmulation.None ? AccessText.Describe(denial.Emulation)
            : denial.Path is { } path ? $"{AccessText.FormatFlags(denial.DeniedAccess)} on {path}"
            : $"{AccessText.FormatFlags(denial.NetAccess)} on port {denial.Port}";
        string times = denial.Count == 1 ? string.Empty : $", {denial.Count} times";
        // On one line: a path with a line end in it must not start a line of its own (a fake "Fix:").
        return HostText.Plain($"Denied {what} ({denial.Operation} by {denial.Program}{times}). Fix: {denial.Suggestion}");
    }
}
