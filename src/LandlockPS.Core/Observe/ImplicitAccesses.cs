using System;
using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Observe;

/// <summary>
/// Tells which accesses the rules LandlockPS adds by itself already cover (a script block's child pwsh:
/// its runtime, its libraries, its scratch home). They are told apart by path, not by the file system:
/// the scratch home is gone by the time a run is reported.
/// </summary>
public static class ImplicitAccesses
{
    /// <summary>Each event, with <see cref="LandlockAccessEvent.Implicit"/> set where one of <paramref name="rules"/> covers it.</summary>
    public static IReadOnlyList<LandlockAccessEvent> Mark(IEnumerable<LandlockAccessEvent> events, IReadOnlyList<LandlockPathRule> rules) =>
        events.Select(e => Covered(e, rules) ? e with { Implicit = true } : e).ToArray();

    private static bool Covered(LandlockAccessEvent e, IReadOnlyList<LandlockPathRule> rules) =>
        e.Path is not null && e.Access != LandlockAccessFs.None
        && rules.Any(rule => (rule.Access & e.Access) == e.Access && (Under(e.Path, rule.Path) || (e.LinkTarget is { } target && Under(target, rule.Path))));

    private static bool Under(string path, string root) =>
        path == root || root == "/" || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);
}
