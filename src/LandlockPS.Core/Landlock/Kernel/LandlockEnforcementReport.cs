using System.Collections.Generic;
using System.Linq;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// What a ruleset asked for, what the kernel enforces, what LandlockPS emulates where the kernel's
/// Landlock cannot, and what was dropped on the way (rust-landlock's "requested vs actual handled access").
/// </summary>
public sealed class LandlockEnforcementReport
{
    internal LandlockEnforcementReport(LandlockRuleset ruleset, LandlockSupport support, IReadOnlyList<string> skippedRules, IReadOnlyList<HeldPathRule> held)
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
        QuietAccessFs = ruleset.QuietAccessFs;
        QuietAccessNet = ruleset.QuietAccessNet;
        QuietScope = ruleset.QuietScope;
        EnforcedQuiet = RequestedQuiet && support.SupportsQuiet;
        SkippedRules = skippedRules;
        TestAbiCap = support.TestAbiCap;
        bool kernelEnforcesNothing = (EnforcedAccessFs, EnforcedAccessNet, EnforcedScope) == (0, 0, 0);
        // Emulation completes what the kernel enforces in part; it never stands in for Landlock.
        if (!kernelEnforcesNothing) Emulated = Emulate(ruleset, held, support.Emulation);
        Status = kernelEnforcesNothing
            ? EnforcementStatus.NotEnforced
            : IsComplete ? EnforcementStatus.FullyEnforced : EnforcementStatus.PartiallyEnforced;
        UnavailableReason = support.Reason;
    }

    /// <summary>Fully, partially or not enforced.</summary>
    public EnforcementStatus Status { get; }
    /// <summary>The ABI the ruleset was made for.</summary>
    public LandlockAbi RequestedAbi { get; }

    /// <summary>The ABI used with this kernel; null when it has no Landlock.</summary>
    public LandlockAbi? KernelAbi { get; }

    /// <summary>The filesystem rights the ruleset handles.</summary>
    public LandlockAccessFs RequestedAccessFs { get; }
    /// <summary>The network rights the ruleset handles.</summary>
    public LandlockAccessNet RequestedAccessNet { get; }
    /// <summary>The scopes the ruleset asks for.</summary>
    public LandlockScope RequestedScope { get; }
    /// <summary>The log flags the ruleset asks for.</summary>
    public LandlockRestrictFlags RequestedLogFlags { get; }
    /// <summary>The handled filesystem rights the kernel enforces.</summary>
    public LandlockAccessFs EnforcedAccessFs { get; }
    /// <summary>The handled network rights the kernel enforces.</summary>
    public LandlockAccessNet EnforcedAccessNet { get; }
    /// <summary>The scopes the kernel enforces.</summary>
    public LandlockScope EnforcedScope { get; }
    /// <summary>The log flags the kernel takes.</summary>
    public LandlockRestrictFlags EnforcedLogFlags { get; }

    /// <summary>The ruleset's quiet settings (ABI 10): rights and scopes whose denials are not audited where a quiet rule covers them.</summary>
    public LandlockAccessFs QuietAccessFs { get; }
    /// <summary>Network rights whose denials on a quiet port rule are not audited.</summary>
    public LandlockAccessNet QuietAccessNet { get; }
    /// <summary>Scopes whose denials are not audited.</summary>
    public LandlockScope QuietScope { get; }

    /// <summary>Whether the ruleset has quiet settings.</summary>
    public bool RequestedQuiet => QuietAccessFs != 0 || QuietAccessNet != 0 || QuietScope != 0;

    /// <summary>Whether the kernel takes them; when it does not, they are dropped (audit logs those denials).</summary>
    public bool EnforcedQuiet { get; }

    /// <summary>The test-only ABI cap this report was made under, if any (see <see cref="LandlockSupport.AbiCapVariable"/>).</summary>
    public int? TestAbiCap { get; }

    /// <summary>What a seccomp filter closes for this ruleset, because the kernel's Landlock cannot; None when nothing is.</summary>
    public LandlockEmulation Emulated { get; }

    /// <summary>The filesystem rights the emulation stands in for (ResolveUnix).</summary>
    public LandlockAccessFs EmulatedAccessFs => (Emulated & LandlockEmulation.UnixSockets) != 0 ? LandlockAccessFs.ResolveUnix : LandlockAccessFs.None;

    /// <summary>The network rights the emulation stands in for (BindUdp, ConnectSendUdp).</summary>
    public LandlockAccessNet EmulatedAccessNet => (Emulated & LandlockEmulation.UdpSockets) != 0 ? UdpRights : LandlockAccessNet.None;

    /// <summary>What is restricted neither by the kernel nor by emulation.</summary>
    public LandlockAccessFs DroppedAccessFs => RequestedAccessFs & ~EnforcedAccessFs & ~EmulatedAccessFs;
    /// <summary>Network rights restricted neither by the kernel nor by emulation.</summary>
    public LandlockAccessNet DroppedAccessNet => RequestedAccessNet & ~EnforcedAccessNet & ~EmulatedAccessNet;
    /// <summary>Scopes the kernel cannot enforce.</summary>
    public LandlockScope DroppedScope => RequestedScope & ~EnforcedScope;
    /// <summary>Log flags the kernel does not know.</summary>
    public LandlockRestrictFlags DroppedLogFlags => RequestedLogFlags & ~EnforcedLogFlags;

    /// <summary>Rules left out because none of their rights are enforced by this kernel or apply to their target.</summary>
    public IReadOnlyList<string> SkippedRules { get; }

    /// <summary>Why the kernel enforces nothing, when that is the reason.</summary>
    public string? UnavailableReason { get; }

    /// <summary>Everything dropped, as names ("ResolveUnix, BindUdp, ConnectSendUdp"), or empty.</summary>
    public IReadOnlyList<string> Dropped =>
        Names(DroppedAccessFs).Concat(Names(DroppedAccessNet)).Concat(Names(DroppedScope)).Concat(Names(DroppedLogFlags))
            .Concat(DroppedQuiet ? [QuietName] : []).ToArray();

    /// <summary>True when the ruleset's quiet settings are dropped: the kernel predates them (ABI 10).</summary>
    public bool DroppedQuiet => RequestedQuiet && !EnforcedQuiet;

    /// <summary>A sentence for warnings and errors; it names a test cap in force, which lowers what is reported, never what is enforced.</summary>
    public string Describe() => TestAbiCap is { } cap
        ? $"{DescribeStatus()} (The test setting {LandlockSupport.AbiCapVariable}={cap} lowers what is reported and decided; the kernel is still handed all of the ruleset it supports.)"
        : DescribeStatus();

    private string DescribeStatus() => Status switch
    {
        EnforcementStatus.FullyEnforced when Emulated == LandlockEmulation.None => "The kernel enforces the whole ruleset.",
        EnforcementStatus.FullyEnforced => $"The kernel enforces the ruleset; {DescribeEmulation()}",
        EnforcementStatus.NotEnforced when UnavailableReason is not null => $"The kernel enforces nothing of the ruleset: {UnavailableReason}",
        EnforcementStatus.NotEnforced => $"The kernel (Landlock {KernelAbi}) supports none of what the ruleset handles ({string.Join(", ", Dropped)}).",
        _ => $"The kernel (Landlock {KernelAbi}) does not support {string.Join(", ", Dropped)} of ruleset ABI {RequestedAbi}; those are not restricted." +
             (Emulated == LandlockEmulation.None ? string.Empty : $" Otherwise {DescribeEmulation()}"),
    };

    /// <summary>"a seccomp filter closes ...", a sentence for <see cref="Describe"/> and -Verbose.</summary>
    public string DescribeEmulation()
    {
        var closed = new List<string>();
        if ((Emulated & LandlockEmulation.UnixSockets) != 0) closed.Add("no UNIX sockets (for ResolveUnix)");
        if ((Emulated & LandlockEmulation.UdpSockets) != 0) closed.Add("no UDP sockets (for BindUdp, ConnectSendUdp)");
        if ((Emulated & LandlockEmulation.MemfdExecute) != 0) closed.Add("no executable memfds (for Execute)");
        if ((Emulated & LandlockEmulation.IoUring) != 0) closed.Add("no io_uring");
        return closed.Count == 0 ? "nothing is emulated." : $"a seccomp filter closes what its Landlock cannot: {string.Join(", ", closed)}.";
    }

    private const LandlockAccessNet UdpRights = LandlockAccessNet.BindUdp | LandlockAccessNet.ConnectSendUdp;

    private const string QuietName = "quiet settings";

    private bool IsComplete =>
        DroppedAccessFs == 0 && DroppedAccessNet == 0 && DroppedScope == 0 && DroppedLogFlags == 0 && !DroppedQuiet;

    // A class is emulated when the kernel cannot enforce it, the ruleset handles all of it, and no
    // rule asks for any of it: denying the whole class then denies nothing the ruleset asked for.
    // UNIX sockets are asked for by a rule of ResolveUnix alone. ResolveUnix that comes with a
    // folder's other rights (ReadWrite on ./out) does not ask for them: on this kernel, honouring it
    // would open every UNIX socket of the machine (D-Bus, docker.sock, the caller's own).
    private LandlockEmulation Emulate(LandlockRuleset ruleset, IReadOnlyList<HeldPathRule> held, LandlockEmulation possible)
    {
        LandlockEmulation emulated = LandlockEmulation.None;
        if ((RequestedAccessFs & ~EnforcedAccessFs & LandlockAccessFs.ResolveUnix) != 0
            && !ruleset.PathRules.Select(r => r.Access).Concat(held.Select(r => r.Access)).Any(OpensUnixSockets))
        {
            emulated |= LandlockEmulation.UnixSockets;
        }
        if ((RequestedAccessNet & UdpRights) == UdpRights && (EnforcedAccessNet & UdpRights) == 0
            && !ruleset.NetRules.Any(r => (r.Access & UdpRights) != 0))
        {
            emulated |= LandlockEmulation.UdpSockets;
        }
        if ((EnforcedAccessFs & LandlockAccessFs.Execute) != 0) emulated |= LandlockEmulation.MemfdExecute;
        if ((emulated & (LandlockEmulation.UnixSockets | LandlockEmulation.UdpSockets)) != 0) emulated |= LandlockEmulation.IoUring;
        return emulated & possible;
    }

    /// <summary>
    /// Whether a rule's rights ask for UNIX sockets where the kernel's Landlock cannot restrict them
    /// per path (before ABI 9): ResolveUnix alone.
    /// </summary>
    public static bool OpensUnixSockets(LandlockAccessFs ruleAccess) => ruleAccess == LandlockAccessFs.ResolveUnix;

    private static IEnumerable<string> Names<T>(T value) where T : struct, System.Enum
    {
        string text = AccessText.FormatFlags(value);
        return text == "None" ? [] : text.Split(", ");
    }
}
