using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using LandlockPS.Core.Errors;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>Turns a <see cref="LandlockRuleset"/> description into a kernel ruleset for the running kernel.</summary>
public static class RulesetCompiler
{
    /// <summary>
    /// Builds the kernel ruleset. Rights the kernel does not support are dropped (BestEffort) or make
    /// the call fail (HardRequirement); the report says which. When nothing can be enforced the result
    /// has no handle and status NotEnforced: the caller decides whether to run unconfined.
    /// Nothing here restricts the calling thread.
    /// </summary>
    /// <param name="ruleset">What to build.</param>
    /// <param name="support">The kernel's Landlock support; queried when null.</param>
    /// <param name="held">Rules on files the caller holds open, added as they are (see <see cref="HeldPathRule"/>).</param>
    public static CompiledRuleset Compile(LandlockRuleset ruleset, LandlockSupport? support = null, IReadOnlyList<HeldPathRule>? held = null)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        // Not NotEnforced (which -AllowUnconfined accepts): a ruleset that handles nothing is a mistake, not a kernel's limit.
        ruleset.RequireHandlesSomething();
        support ??= LandlockSupport.Query();
        var skipped = new List<string>();
        // What is reported and decided (under a test cap, an older kernel's view: only ever stricter)...
        var preview = new LandlockEnforcementReport(ruleset, support, skipped, held ?? []);
        // ...and what the kernel is handed: everything of the ruleset it supports, cap or not.
        LandlockEnforcementReport handed = support.Kernel == support ? preview : new LandlockEnforcementReport(ruleset, support.Kernel, skipped, held ?? []);
        if (ruleset.CompatibilityLevel == CompatibilityLevel.HardRequirement && preview.Status != EnforcementStatus.FullyEnforced)
        {
            throw new LandlockCompatibilityException(preview,
                $"Ruleset{NameSuffix(ruleset)} requires everything it handles (HardRequirement), but {Shortfall(preview)} " +
                "Run on a newer kernel, make the ruleset for an older ABI, or make it BestEffort.") { Remedy = LandlockRemedy.ChooseAbi };
        }
        if (handed.Status == EnforcementStatus.NotEnforced)
        {
            return new CompiledRuleset(null, preview, LandlockRestrictFlags.None, LandlockEmulation.None) { Source = ruleset };
        }

        SafeLandlockRulesetHandle handle = Create(handed);
        try
        {
            var adding = new RuleAdding(handle, preview, handed, skipped);
            foreach (LandlockPathRule rule in ruleset.PathRules)
            {
                AddPathRule(adding, rule);
            }
            foreach (HeldPathRule rule in held ?? [])
            {
                AddRuleOn(adding, rule.Handle, rule.Path, rule.Access, quiet: false);
            }
            foreach (LandlockNetRule rule in ruleset.NetRules)
            {
                AddNetRule(adding, rule);
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        // Each view's filter is sound on its own (it closes only classes no rule grants): their union is too.
        return new CompiledRuleset(handle, preview, handed.EnforcedLogFlags, preview.Emulated | handed.Emulated) { Source = ruleset };
    }

    private static unsafe SafeLandlockRulesetHandle Create(LandlockEnforcementReport report)
    {
        bool quiet = report.EnforcedQuiet;
        var attr = new LandlockRulesetAttr
        {
            HandledAccessFs = (ulong)report.EnforcedAccessFs,
            HandledAccessNet = (ulong)report.EnforcedAccessNet,
            Scoped = (ulong)report.EnforcedScope,
            QuietAccessFs = quiet ? (ulong)report.QuietAccessFs : 0,
            QuietAccessNet = quiet ? (ulong)report.QuietAccessNet : 0,
            QuietScoped = quiet ? (ulong)report.QuietScope : 0,
        };
        int size = LandlockRulesetAttr.SizeFor((int)report.KernelAbi!.Value);
        long fd = LibC.Syscall(LibC.SYS_landlock_create_ruleset, (nint)(&attr), size, 0, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw KernelErrors.ForCreate(errno);
        }
        return new SafeLandlockRulesetHandle((int)fd);
    }

    // Rules reach the kernel as it takes them (handed); a rule is listed as skipped as the report sees
    // the kernel (preview), so a test cap shows an older kernel's skips without making them.
    private sealed record RuleAdding(SafeLandlockRulesetHandle Ruleset, LandlockEnforcementReport Preview, LandlockEnforcementReport Handed, List<string> Skipped);

    private static void AddPathRule(RuleAdding adding, LandlockPathRule rule)
    {
        using SafePathHandle path = PathHandles.TryOpen(rule.Path, out int openErrno)
            ?? throw KernelErrors.ForOpen(rule.Path, openErrno);
        AddRuleOn(adding, path, rule.Path, rule.Access, rule.Quiet);
    }

    private static unsafe void AddRuleOn(RuleAdding adding, SafeFileDescriptor file, string path, LandlockAccessFs requested, bool quiet)
    {
        LandlockAccessFs applicable = PathHandles.IsDirectory(file) ? LandlockAccessFs.ReadWriteExecute : AccessGroups.FileApplicable;
        if ((requested & applicable & adding.Preview.EnforcedAccessFs) == 0) adding.Skipped.Add(new LandlockPathRule(path, requested).ToString());
        LandlockAccessFs access = requested & applicable & adding.Handed.EnforcedAccessFs;
        if (access == LandlockAccessFs.None) return;
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            var attr = new LandlockPathBeneathAttr { AllowedAccess = (ulong)access, ParentFd = file.Fd };
            nint flags = RuleFlags(quiet && adding.Handed.EnforcedQuiet && adding.Handed.QuietAccessFs != 0);
            if (LibC.Syscall(LibC.SYS_landlock_add_rule, adding.Ruleset.Fd, LandlockConstants.RulePathBeneath, (nint)(&attr), flags) != 0)
            {
                throw KernelErrors.ForAddRule(path, Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    private static unsafe void AddNetRule(RuleAdding adding, LandlockNetRule rule)
    {
        if ((rule.Access & adding.Preview.EnforcedAccessNet) == 0) adding.Skipped.Add(rule.ToString());
        LandlockAccessNet access = rule.Access & adding.Handed.EnforcedAccessNet;
        if (access == LandlockAccessNet.None) return;
        var attr = new LandlockNetPortAttr { AllowedAccess = (ulong)access, Port = (ulong)rule.Port };
        nint flags = RuleFlags(rule.Quiet && adding.Handed.EnforcedQuiet && adding.Handed.QuietAccessNet != 0);
        if (LibC.Syscall(LibC.SYS_landlock_add_rule, adding.Ruleset.Fd, LandlockConstants.RuleNetPort, (nint)(&attr), flags) != 0)
        {
            throw KernelErrors.ForAddRule($"port {rule.Port}", Marshal.GetLastPInvokeError());
        }
    }

    // The kernel refuses the quiet flag where the ruleset quiets nothing of the rule's kind (EINVAL).
    private static nint RuleFlags(bool quiet) => quiet ? (nint)LandlockConstants.AddRuleQuiet : 0;

    private static string NameSuffix(LandlockRuleset ruleset) => ruleset.Name is { } name ? $" '{name}'" : string.Empty;

    private static string Shortfall(LandlockEnforcementReport report) =>
        report.UnavailableReason is { } reason
            ? $"the kernel cannot enforce Landlock: {reason}"
            : $"the kernel (Landlock {report.KernelAbi}) lacks {string.Join(", ", report.Dropped)}.";
}
