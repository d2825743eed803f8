namespace LandlockPS.Core.Landlock;

/// <summary>Whether the running kernel can enforce Landlock.</summary>
public enum LandlockAvailability
{
    /// <summary>Landlock is built in and enabled.</summary>
    Available,
    /// <summary>Landlock is built in but not enabled at boot (EOPNOTSUPP).</summary>
    NotEnabled,
    /// <summary>The kernel was built without Landlock, or is older than 5.13 (ENOSYS).</summary>
    NotImplemented,
}
