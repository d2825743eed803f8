using System.Collections.Generic;
using System.Linq;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// What a ruleset asked for, what the kernel enforces and what was dropped on the way
/// (rust-landlock's "requested vs actual handled access").
/// </summary>
public sealed class LandlockEnforcementReport
{
    internal LandlockEnforcementReport(LandlockRuleset ruleset, LandlockSupport support, IReadOnlyList<string> skippedRules)
    {
        RequestedAbi = ruleset.Abi;
        KernelAbi = support.EffectiveAbi;
        RequestedAccessFs = ruleset.HandledAccessFs;
        RequestedAccessNet = ruleset.HandledAccessNet;
        RequestedScope = ruleset.Scope;
        RequestedLogFlags = ruleset.LogFlags;
        EnforcedAccessFs = RequestedAccessFs & support.SupportedAccessFs;
        EnforcedAccessNet = RequestedAccessNet & support.SupportedAccessNet;
        EnforcedScope = RequestedScope & support.SupportedScope;
        EnforcedLogFlags = RequestedLogFlags & support.SupportedRestrictFlags;
        SkippedRules = skippedRules;
        Status = (EnforcedAccessFs, EnforcedAccessNet, EnforcedScope) == (0, 0, 0)
            ? EnforcementStatus.NotEnforced
            : IsComplete ? EnforcementStatus.FullyEnforced : EnforcementStatus.PartiallyEnforced;
        UnavailableReason = support.Reason;
    }

    public EnforcementStatus Status { get; }
    public LandlockAbi RequestedAbi { get; }

    /// <summary>The ABI used with this kernel; null when it has no Landlock.</summary>
    public LandlockAbi? KernelAbi { get; }

    public LandlockAccessFs RequestedAccessFs { get; }
    public LandlockAccessNet RequestedAccessNet { get; }
    public LandlockScope RequestedScope { get; }
    public LandlockRestrictFlags RequestedLogFlags { get; }
    public LandlockAccessFs EnforcedAccessFs { get; }
    public LandlockAccessNet EnforcedAccessNet { get; }
    public LandlockScope EnforcedScope { get; }
    public LandlockRestrictFlags EnforcedLogFlags { get; }
    public LandlockAccessFs DroppedAccessFs => RequestedAccessFs & ~EnforcedAccessFs;
    public LandlockAccessNet DroppedAccessNet => RequestedAccessNet & ~EnforcedAccessNet;
    public LandlockScope DroppedScope => RequestedScope & ~EnforcedScope;
    public LandlockRestrictFlags DroppedLogFlags => RequestedLogFlags & ~EnforcedLogFlags;

    /// <summary>Rules left out because none of their rights are enforced by this kernel or apply to their target.</summary>
    public IReadOnlyList<string> SkippedRules { get; }

    /// <summary>Why the kernel enforces nothing, when that is the reason.</summary>
    public string? UnavailableReason { get; }

    /// <summary>Everything dropped, as names ("ResolveUnix, BindUdp, ConnectSendUdp"), or empty.</summary>
    public IReadOnlyList<string> Dropped =>
        Names(DroppedAccessFs).Concat(Names(DroppedAccessNet)).Concat(Names(DroppedScope)).Concat(Names(DroppedLogFlags)).ToArray();

    /// <summary>A sentence for warnings and errors.</summary>
    public string Describe() => Status switch
    {
        EnforcementStatus.FullyEnforced => "The kernel enforces the whole ruleset.",
        EnforcementStatus.NotEnforced when UnavailableReason is not null => $"The kernel enforces nothing of the ruleset: {UnavailableReason}",
        EnforcementStatus.NotEnforced => $"The kernel (Landlock {KernelAbi}) supports none of what the ruleset handles ({string.Join(", ", Dropped)}).",
        _ => $"The kernel (Landlock {KernelAbi}) does not support {string.Join(", ", Dropped)} of ruleset ABI {RequestedAbi}; those are not restricted.",
    };

    private bool IsComplete =>
        DroppedAccessFs == 0 && DroppedAccessNet == 0 && DroppedScope == 0 && DroppedLogFlags == 0;

    private static IEnumerable<string> Names<T>(T value) where T : struct, System.Enum
    {
        string text = AccessText.FormatFlags(value);
        return text == "None" ? [] : text.Split(", ");
    }
}
