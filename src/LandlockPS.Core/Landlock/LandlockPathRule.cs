namespace LandlockPS.Core.Landlock;

/// <summary>Allows <see cref="Access"/> on the file or directory at <see cref="Path"/> and, for a directory, everything beneath it.</summary>
public sealed record LandlockPathRule(string Path, LandlockAccessFs Access)
{
    public override string ToString() => $"{AccessText.Format(Access)} on {Path}";
}
