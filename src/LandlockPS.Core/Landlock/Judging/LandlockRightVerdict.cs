using System.Collections.Generic;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// The verdict on one right: where the kernel checks it (<see cref="JudgedOn"/>: the object itself, or for
/// creating and removing entries its directory), the rules that grant it there, and why, in words.
/// </summary>
public sealed record LandlockRightVerdict(
    LandlockAccessFs Right,
    LandlockAccessVerdict Verdict,
    string JudgedOn,
    IReadOnlyList<LandlockPathRule> GrantedBy,
    string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Right}: {Verdict}. {Reason}";
}
