namespace LandlockPS.Core.Landlock;

/// <summary>How much of a ruleset the kernel enforces.</summary>
public enum EnforcementStatus
{
    /// <summary>Everything the ruleset handles is enforced.</summary>
    FullyEnforced,
    /// <summary>Some handled rights, scopes or flags are not supported by the kernel and were dropped.</summary>
    PartiallyEnforced,
    /// <summary>Nothing is enforced: the kernel has no Landlock, or supports none of what was asked.</summary>
    NotEnforced,
}
