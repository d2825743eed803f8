using System;

namespace LandlockPS.Core.Landlock;

/// <summary>Allows <see cref="Access"/> on the file or directory at <see cref="Path"/> and, for a directory, everything beneath it.</summary>
public sealed record LandlockPathRule(string Path, LandlockAccessFs Access)
{
    /// <summary>
    /// The filesystem rights handled by the ruleset that made this rule, or null for a rule outside a ruleset
    /// (a profile's). Display only: group names in <see cref="DescribeAccess"/> are relative to it, as in the
    /// ruleset ("ReadWrite" is every handled right but Execute). Not part of the rule's identity.
    /// </summary>
    public LandlockAccessFs? RulesetHandledAccessFs { get; init; }

    /// <summary>
    /// Quiet (ABI 10): the ruleset's <see cref="LandlockRuleset.QuietAccessFs"/> denials here and beneath are
    /// left out of the audit log. Logging only: it allows nothing.
    /// </summary>
    public bool Quiet { get; init; }

    /// <summary>The access in a few words: group names where they fit, relative to the ruleset when known.</summary>
    public string DescribeAccess() => AccessText.Format(Access, RulesetHandledAccessFs ?? LandlockAccessFs.ReadWriteExecute);

    /// <inheritdoc/>
    public bool Equals(LandlockPathRule? other) =>
        other is not null && string.Equals(Path, other.Path, StringComparison.Ordinal) && Access == other.Access && Quiet == other.Quiet;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Path, Access, Quiet);

    /// <inheritdoc/>
    public override string ToString() => $"{DescribeAccess()} on {Path}{(Quiet ? " (quiet)" : string.Empty)}";
}
