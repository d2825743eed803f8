namespace LandlockPS.Core.Landlock;

/// <summary>A Landlock ABI version. Each one adds rights, scopes or flags (see <see cref="AbiFeatures"/>).</summary>
public enum LandlockAbi
{
    /// <summary>Linux 5.13: files and directories.</summary>
    V1 = 1,
    /// <summary>Linux 5.19: Refer.</summary>
    V2 = 2,
    /// <summary>Linux 6.2: Truncate.</summary>
    V3 = 3,
    /// <summary>Linux 6.7: TCP bind and connect.</summary>
    V4 = 4,
    /// <summary>Linux 6.10: IoctlDev.</summary>
    V5 = 5,
    /// <summary>Linux 6.12: the abstract UNIX socket and signal scopes.</summary>
    V6 = 6,
    /// <summary>Linux 6.15: audit log flags.</summary>
    V7 = 7,
    /// <summary>Linux 7.0: Tsync.</summary>
    V8 = 8,
    /// <summary>Linux 7.1: ResolveUnix.</summary>
    V9 = 9,
    /// <summary>Linux 7.2: UDP, and quiet settings.</summary>
    V10 = 10,
}
