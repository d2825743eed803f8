using LandlockPS.Core.Landlock;

namespace LandlockPS.Core;

// In LandlockPS.Core, as the base is, so code that catches it keeps compiling; it lives beside the model it carries.
/// <summary>A HardRequirement ruleset asks for more than the kernel can enforce.</summary>
public sealed class LandlockCompatibilityException : LandlockException
{
    /// <summary>What a HardRequirement ruleset lacks on this kernel.</summary>
    public LandlockCompatibilityException(LandlockEnforcementReport report, string message)
        : base(message, errorId: "CompatibilityRequirementNotMet")
    {
        Report = report;
    }

    /// <summary>What would have been enforced and what would have been dropped.</summary>
    public LandlockEnforcementReport Report { get; }
}
