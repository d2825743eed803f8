using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>
/// struct landlock_ruleset_attr as of ABI 10. The kernel takes a size with it: pass
/// <see cref="SizeFor"/> the ABI in use, so a kernel is never handed a field it does not know
/// (it would accept trailing zeros, but answers E2BIG for anything else there).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LandlockRulesetAttr
{
    public ulong HandledAccessFs;
    public ulong HandledAccessNet;   // ABI 4
    public ulong Scoped;             // ABI 6
    public ulong QuietAccessFs;      // ABI 10, with the two below
    public ulong QuietAccessNet;
    public ulong QuietScoped;

    /// <summary>The struct's size in the uapi header of <paramref name="abi"/>: 8, 16, 24, then 48 bytes.</summary>
    internal static int SizeFor(int abi) => abi switch
    {
        < 4 => 8,
        < 6 => 16,
        < 10 => 24,
        _ => 48,
    };
}

/// <summary>struct landlock_path_beneath_attr, which the kernel declares packed.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct LandlockPathBeneathAttr
{
    public ulong AllowedAccess;
    public int ParentFd;
}

/// <summary>struct landlock_net_port_attr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LandlockNetPortAttr
{
    public ulong AllowedAccess;
    public ulong Port;
}

internal static class LandlockConstants
{
    internal const uint CreateRulesetVersion = 1u << 0;
    internal const uint CreateRulesetErrata = 1u << 1;
    internal const int RulePathBeneath = 1;
    internal const int RuleNetPort = 2;
    internal const uint AddRuleQuiet = 1u << 0;
}
