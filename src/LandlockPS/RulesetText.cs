using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Landlock;

namespace LandlockPS;

/// <summary>Rulesets as text for -WhatIf and -Verbose.</summary>
internal static class RulesetText
{
    /// <summary>"ruleset 'web' (ReadExecute on /usr; ConnectTcp on port 443)".</summary>
    internal static string Describe(LandlockRuleset ruleset)
    {
        IEnumerable<string> rules = ruleset.PathRules.Select(r => $"{AccessText.Format(r.Access, ruleset.HandledAccessFs)} on {r.Path}")
            .Concat(ruleset.NetRules.Select(r => r.ToString()));
        string list = string.Join("; ", rules);
        string name = ruleset.Name is { } n ? $"ruleset '{n}'" : "ruleset";
        return $"{name} ({(list.Length == 0 ? "no rules: everything handled is denied" : list)})";
    }

    /// <summary>The ruleset as it reached the kernel: what is enforced, every rule, what was left out.</summary>
    internal static IEnumerable<string> Effective(LandlockRuleset ruleset, LandlockEnforcementReport report)
    {
        yield return $"Enforced (Landlock {report.KernelAbi?.ToString() ?? "none"}): filesystem {AccessText.Format(report.EnforcedAccessFs, report.RequestedAccessFs)}; " +
                     $"network {report.EnforcedAccessNet}; scopes {report.EnforcedScope}; log flags {report.EnforcedLogFlags}.";
        foreach (LandlockPathRule rule in ruleset.PathRules)
        {
            yield return $"  allow {AccessText.Format(rule.Access & report.EnforcedAccessFs, report.EnforcedAccessFs)} on {rule.Path}";
        }
        foreach (LandlockNetRule rule in ruleset.NetRules)
        {
            yield return $"  allow {rule.Access & report.EnforcedAccessNet} on port {rule.Port}";
        }
        foreach (string skipped in report.SkippedRules)
        {
            yield return $"  left out (nothing enforceable): {skipped}";
        }
    }
}
