namespace LandlockPS.Core.Landlock;

/// <summary>A Landlock ABI version. Each one adds rights, scopes or flags (see <see cref="AbiFeatures"/>).</summary>
public enum LandlockAbi
{
    V1 = 1,
    V2 = 2,
    V3 = 3,
    V4 = 4,
    V5 = 5,
    V6 = 6,
    V7 = 7,
    V8 = 8,
    V9 = 9,
    V10 = 10,
}
