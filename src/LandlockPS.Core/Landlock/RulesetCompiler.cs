using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
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
        var preview = new LandlockEnforcementReport(ruleset, support, skipped, held ?? []);
        if (ruleset.CompatibilityLevel == CompatibilityLevel.HardRequirement && preview.Status != EnforcementStatus.FullyEnforced)
        {
            throw new LandlockCompatibilityException(preview,
                $"Ruleset{NameSuffix(ruleset)} requires everything it handles (HardRequirement), but {Shortfall(preview)} " +
                "Run on a newer kernel, pin an older ABI with New-LandlockRuleset -Abi, or use -CompatibilityLevel BestEffort.");
        }
        if (preview.Status == EnforcementStatus.NotEnforced)
        {
            return new CompiledRuleset(null, preview, LandlockRestrictFlags.None) { Source = ruleset };
        }

        SafeLandlockRulesetHandle handle = Create(preview);
        try
        {
            foreach (LandlockPathRule rule in ruleset.PathRules)
            {
                AddPathRule(handle, rule, preview.EnforcedAccessFs, skipped);
            }
            foreach (HeldPathRule rule in held ?? [])
            {
                AddRuleOn(handle, rule.Handle, rule.Path, rule.Access, preview.EnforcedAccessFs, skipped);
            }
            foreach (LandlockNetRule rule in ruleset.NetRules)
            {
                AddNetRule(handle, rule, preview.EnforcedAccessNet, skipped);
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return new CompiledRuleset(handle, preview, preview.EnforcedLogFlags) { Source = ruleset };
    }

    private static unsafe SafeLandlockRulesetHandle Create(LandlockEnforcementReport report)
    {
        var attr = new LandlockRulesetAttr
        {
            HandledAccessFs = (ulong)report.EnforcedAccessFs,
            HandledAccessNet = (ulong)report.EnforcedAccessNet,
            Scoped = (ulong)report.EnforcedScope,
        };
        long fd = LibC.Syscall(LibC.SYS_landlock_create_ruleset, (nint)(&attr), sizeof(LandlockRulesetAttr), 0, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw KernelErrors.ForCreate(errno);
        }
        return new SafeLandlockRulesetHandle((int)fd);
    }

    private static unsafe void AddPathRule(SafeLandlockRulesetHandle ruleset, LandlockPathRule rule, LandlockAccessFs enforced, List<string> skipped)
    {
        using SafePathHandle path = PathHandles.TryOpen(rule.Path, out int openErrno)
            ?? throw KernelErrors.ForOpen(rule.Path, openErrno);
        AddRuleOn(ruleset, path, rule.Path, rule.Access, enforced, skipped);
    }

    private static unsafe void AddRuleOn(SafeLandlockRulesetHandle ruleset, SafeFileDescriptor file, string path, LandlockAccessFs requested,
        LandlockAccessFs enforced, List<string> skipped)
    {
        LandlockAccessFs applicable = PathHandles.IsDirectory(file) ? enforced : enforced & AccessGroups.FileApplicable;
        LandlockAccessFs access = requested & applicable;
        if (access == LandlockAccessFs.None)
        {
            skipped.Add(new LandlockPathRule(path, requested).ToString());
            return;
        }
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            var attr = new LandlockPathBeneathAttr { AllowedAccess = (ulong)access, ParentFd = file.Fd };
            if (LibC.Syscall(LibC.SYS_landlock_add_rule, ruleset.Fd, LandlockConstants.RulePathBeneath, (nint)(&attr), 0) != 0)
            {
                throw KernelErrors.ForAddRule(path, Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    private static unsafe void AddNetRule(SafeLandlockRulesetHandle ruleset, LandlockNetRule rule, LandlockAccessNet enforced, List<string> skipped)
    {
        LandlockAccessNet access = rule.Access & enforced;
        if (access == LandlockAccessNet.None)
        {
            skipped.Add(rule.ToString());
            return;
        }
        var attr = new LandlockNetPortAttr { AllowedAccess = (ulong)access, Port = (ulong)rule.Port };
        if (LibC.Syscall(LibC.SYS_landlock_add_rule, ruleset.Fd, LandlockConstants.RuleNetPort, (nint)(&attr), 0) != 0)
        {
            throw KernelErrors.ForAddRule($"port {rule.Port}", Marshal.GetLastPInvokeError());
        }
    }

    private static string NameSuffix(LandlockRuleset ruleset) => ruleset.Name is { } name ? $" '{name}'" : string.Empty;

    private static string Shortfall(LandlockEnforcementReport report) =>
        report.UnavailableReason is { } reason
            ? $"the kernel cannot enforce Landlock: {reason}"
            : $"the kernel (Landlock {report.KernelAbi}) lacks {string.Join(", ", report.Dropped)}.";
}
