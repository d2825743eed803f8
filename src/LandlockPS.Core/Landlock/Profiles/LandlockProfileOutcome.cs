namespace LandlockPS.Core.Landlock;

/// <summary>
/// What adding one rule of a profile to a ruleset did: <see cref="Rule"/> is what was granted (or
/// would have been), <see cref="SkipReason"/> says why nothing was added, or is null.
/// </summary>
public sealed record LandlockProfileOutcome(LandlockProfileName Profile, string Rule, string? SkipReason)
{
    /// <inheritdoc/>
    public override string ToString() =>
        SkipReason is null ? $"Profile {Profile}: allowing {Rule}." : $"Profile {Profile}: skipping {Rule}: {SkipReason}.";
}
