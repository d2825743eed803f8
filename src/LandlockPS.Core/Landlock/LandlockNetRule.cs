namespace LandlockPS.Core.Landlock;

/// <summary>Allows <see cref="Access"/> on one TCP/UDP <see cref="Port"/>.</summary>
public sealed record LandlockNetRule(int Port, LandlockAccessNet Access)
{
    public const int MaxPort = 65535;

    public override string ToString() => $"{AccessText.FormatFlags(Access)} on port {Port}";
}
