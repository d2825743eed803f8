using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>struct landlock_ruleset_attr (all three fields; an older kernel accepts the trailing zeros).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LandlockRulesetAttr
{
    public ulong HandledAccessFs;
    public ulong HandledAccessNet;
    public ulong Scoped;
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
}
