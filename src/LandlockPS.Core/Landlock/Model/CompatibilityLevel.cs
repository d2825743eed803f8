namespace LandlockPS.Core.Landlock;

/// <summary>What to do when the kernel cannot enforce everything a ruleset asks for.</summary>
public enum CompatibilityLevel
{
    /// <summary>Enforce what the kernel supports and report what was dropped.</summary>
    BestEffort,
    /// <summary>Refuse to enforce anything unless the kernel supports everything requested.</summary>
    HardRequirement,
}
