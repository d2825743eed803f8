using LandlockPS.Core.Landlock;

namespace LandlockPS.Core;

// In LandlockPS.Core, as the base is, so code that catches it keeps compiling; it lives beside the model it carries.
/// <summary>The kernel cannot enforce Landlock at all (not built in, or not enabled at boot).</summary>
public sealed class LandlockUnavailableException : LandlockException
{
    /// <summary>Landlock is unavailable for <paramref name="availability"/>'s reason.</summary>
    public LandlockUnavailableException(LandlockAvailability availability, string message, int errno)
        : base(message, "landlock_create_ruleset", errno, availability == LandlockAvailability.NotEnabled ? "LandlockNotEnabled" : "LandlockNotSupported")
    {
        Availability = availability;
    }

    /// <summary>Why: not built in, or not enabled at boot.</summary>
    public LandlockAvailability Availability { get; }
}
