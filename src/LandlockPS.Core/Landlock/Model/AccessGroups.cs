using System.Collections.Generic;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// The named groups of <see cref="LandlockAccessFs"/> and the rights that apply to files.
/// A value that is exactly a group stands for "that group, as far as the ruleset handles it";
/// any other value is a set of explicit rights, each of which must be handled.
/// </summary>
public static class AccessGroups
{
    /// <summary>Rights that make sense on a regular file; the rest apply only to directories.</summary>
    public const LandlockAccessFs FileApplicable =
        LandlockAccessFs.Execute | LandlockAccessFs.WriteFile | LandlockAccessFs.ReadFile |
        LandlockAccessFs.Truncate | LandlockAccessFs.IoctlDev | LandlockAccessFs.ResolveUnix;

    /// <summary>The groups, largest first.</summary>
    public static IReadOnlyList<LandlockAccessFs> Groups { get; } =
    [
        LandlockAccessFs.ReadWriteExecute,
        LandlockAccessFs.ReadWrite,
        LandlockAccessFs.ReadExecute,
        LandlockAccessFs.ReadOnly,
    ];

    /// <summary>Whether <paramref name="value"/> is exactly one of the named groups.</summary>
    public static bool IsGroup(LandlockAccessFs value) =>
        value is LandlockAccessFs.ReadOnly or LandlockAccessFs.ReadExecute
            or LandlockAccessFs.ReadWrite or LandlockAccessFs.ReadWriteExecute;

    /// <summary>
    /// Splits values into what the groups among them grant within <paramref name="universe"/>
    /// and the explicit rights the others name (which the caller must check).
    /// </summary>
    public static (LandlockAccessFs FromGroups, LandlockAccessFs Explicit) Resolve(
        IEnumerable<LandlockAccessFs> values, LandlockAccessFs universe)
    {
        LandlockAccessFs fromGroups = LandlockAccessFs.None, explicitRights = LandlockAccessFs.None;
        foreach (LandlockAccessFs value in values)
        {
            if (IsGroup(value)) fromGroups |= value & universe;
            else explicitRights |= value;
        }
        return (fromGroups, explicitRights);
    }
}
