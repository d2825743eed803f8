using System;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>A kernel ruleset built for one launch, and what it enforces. Dispose it once the launch is done.</summary>
public sealed class CompiledRuleset : IDisposable
{
    internal CompiledRuleset(SafeLandlockRulesetHandle? handle, LandlockEnforcementReport report, LandlockRestrictFlags restrictFlags, LandlockEmulation filter)
    {
        Handle = handle;
        Report = report;
        RestrictFlags = restrictFlags;
        Filter = filter;
    }

    /// <summary>The ruleset fd, or null when nothing is enforced (<see cref="EnforcementStatus.NotEnforced"/>).</summary>
    public SafeLandlockRulesetHandle? Handle { get; }

    /// <summary>What is enforced, as reported and decided (see <see cref="LandlockSupport.AbiCapVariable"/>).</summary>
    public LandlockEnforcementReport Report { get; }

    /// <summary>The description it was built from, to explain a launch it refused.</summary>
    internal LandlockRuleset? Source { get; init; }

    /// <summary>The flags to pass to landlock_restrict_self (only those this kernel knows).</summary>
    public LandlockRestrictFlags RestrictFlags { get; }

    /// <summary>
    /// What the launch's seccomp filter closes: the report's <see cref="LandlockEnforcementReport.Emulated"/>, and,
    /// under a test ABI cap, what the uncapped kernel's view would close too (a cap never loosens a launch).
    /// </summary>
    public LandlockEmulation Filter { get; }

    /// <inheritdoc/>
    public void Dispose() => Handle?.Dispose();
}
