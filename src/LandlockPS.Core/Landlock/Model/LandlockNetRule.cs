namespace LandlockPS.Core.Landlock;

/// <summary>Allows <see cref="Access"/> on one TCP/UDP <see cref="Port"/>.</summary>
public sealed record LandlockNetRule(int Port, LandlockAccessNet Access)
{
    /// <summary>The highest port number.</summary>
    public const int MaxPort = 65535;

    /// <summary>Quiet (ABI 10): the ruleset's <see cref="LandlockRuleset.QuietAccessNet"/> denials on this port are left out of the audit log.</summary>
    public bool Quiet { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{AccessText.FormatFlags(Access)} on port {Port}{(Quiet ? " (quiet)" : string.Empty)}";
}
