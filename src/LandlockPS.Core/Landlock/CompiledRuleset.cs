using System;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>A kernel ruleset built for one launch, and what it enforces. Dispose it once the launch is done.</summary>
public sealed class CompiledRuleset : IDisposable
{
    internal CompiledRuleset(SafeLandlockRulesetHandle? handle, LandlockEnforcementReport report, LandlockRestrictFlags restrictFlags)
    {
        Handle = handle;
        Report = report;
        RestrictFlags = restrictFlags;
    }

    /// <summary>The ruleset fd, or null when nothing is enforced (<see cref="EnforcementStatus.NotEnforced"/>).</summary>
    public SafeLandlockRulesetHandle? Handle { get; }

    public LandlockEnforcementReport Report { get; }

    /// <summary>The description it was built from, to explain a launch it refused.</summary>
    internal LandlockRuleset? Source { get; init; }

    /// <summary>The flags to pass to landlock_restrict_self (only those this kernel knows).</summary>
    public LandlockRestrictFlags RestrictFlags { get; }

    public void Dispose() => Handle?.Dispose();
}
