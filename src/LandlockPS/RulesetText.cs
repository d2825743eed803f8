using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;

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

    /// <summary>"Contained by ...": what holds every process of a run, and what that means.</summary>
    internal static string Containment(SandboxedProcess process) => process.Containment == ContainmentMechanism.ControlGroup
        ? $"Contained by the cgroup {process.ContainmentDetail}: every process the run starts ends with it."
        : $"Contained by the process group only ({process.ContainmentDetail}): a process that leaves the group outlives the run.";

    /// <summary>The ruleset as it reached the kernel: what is enforced, every rule, what was left out.</summary>
    internal static IEnumerable<string> Effective(LandlockRuleset ruleset, LandlockEnforcementReport report)
    {
        yield return $"Enforced (Landlock {report.KernelAbi?.ToString() ?? "none"}): filesystem {AccessText.Format(report.EnforcedAccessFs, report.RequestedAccessFs)}; " +
                     $"network {report.EnforcedAccessNet}; scopes {report.EnforcedScope}; log flags {report.EnforcedLogFlags}.";
        if (report.Emulated != LandlockEmulation.None) yield return $"Emulated: {report.DescribeEmulation()}";
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
