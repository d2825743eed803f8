namespace LandlockPS.Core.Landlock;

/// <summary>What Landlock makes of one requested right on one path.</summary>
public enum LandlockAccessVerdict
{
    /// <summary>A rule on the path, or on a directory above it, grants the right.</summary>
    Allowed,
    /// <summary>The ruleset handles the right and no rule on the way up grants it.</summary>
    Denied,
    /// <summary>The ruleset does not handle the right, so Landlock never restricts it.</summary>
    Unhandled,
    /// <summary>The ruleset handles the right, but the running kernel cannot enforce it.</summary>
    NotEnforced,
    /// <summary>The right never concerns this kind of object (ReadDir on a file), so nothing checks it.</summary>
    NotApplicable,
}
