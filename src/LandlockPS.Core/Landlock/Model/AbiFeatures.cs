using System;
using System.Collections.Generic;
using System.Linq;

namespace LandlockPS.Core.Landlock;

/// <summary>What one Landlock ABI provides: every right, scope and flag known up to and including it.</summary>
public sealed record AbiFeatures(
    LandlockAbi Abi,
    Version Kernel,
    LandlockAccessFs AccessFs,
    LandlockAccessNet AccessNet,
    LandlockScope Scope,
    LandlockRestrictFlags RestrictFlags)
{
    /// <summary>What this ABI adds to the one before it, as names.</summary>
    public string Added
    {
        get
        {
            AbiFeatures? previous = Abi == LandlockAbi.V1 ? null : Of(Abi - 1);
            string[] parts =
            [
                AccessText.FormatFlags(AccessFs & ~(previous?.AccessFs ?? 0)),
                AccessText.FormatFlags(AccessNet & ~(previous?.AccessNet ?? 0)),
                AccessText.FormatFlags(Scope & ~(previous?.Scope ?? 0)),
                AccessText.FormatFlags(RestrictFlags & ~(previous?.RestrictFlags ?? 0)),
            ];
            string added = string.Join(", ", parts.Where(p => p != "None"));
            return Quiet && previous is { Quiet: false } ? $"{added}, quiet settings" : added;
        }
    }

    /// <summary>
    /// The quiet settings of ABI 10: rights and scopes whose denials the audit log leaves out for
    /// objects a rule marks quiet (<see cref="LandlockRuleset.QuietAccessFs"/>, <see cref="LandlockPathRule.Quiet"/>).
    /// </summary>
    public bool Quiet => Abi >= LandlockAbi.V10;

    /// <summary>The newest ABI this module knows.</summary>
    public const LandlockAbi Newest = LandlockAbi.V10;

    private const LandlockAccessFs FsV1 =
        LandlockAccessFs.Execute | LandlockAccessFs.WriteFile | LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir |
        LandlockAccessFs.RemoveDir | LandlockAccessFs.RemoveFile | LandlockAccessFs.MakeChar | LandlockAccessFs.MakeDir |
        LandlockAccessFs.MakeReg | LandlockAccessFs.MakeSock | LandlockAccessFs.MakeFifo | LandlockAccessFs.MakeBlock |
        LandlockAccessFs.MakeSym;
    private const LandlockAccessFs FsV2 = FsV1 | LandlockAccessFs.Refer;
    private const LandlockAccessFs FsV3 = FsV2 | LandlockAccessFs.Truncate;
    private const LandlockAccessFs FsV5 = FsV3 | LandlockAccessFs.IoctlDev;
    private const LandlockAccessFs FsV9 = FsV5 | LandlockAccessFs.ResolveUnix;
    private const LandlockAccessNet Tcp = LandlockAccessNet.BindTcp | LandlockAccessNet.ConnectTcp;
    private const LandlockAccessNet TcpUdp = Tcp | LandlockAccessNet.BindUdp | LandlockAccessNet.ConnectSendUdp;
    private const LandlockScope Scopes = LandlockScope.AbstractUnixSocket | LandlockScope.Signal;
    private const LandlockRestrictFlags Log =
        LandlockRestrictFlags.LogSameExecOff | LandlockRestrictFlags.LogNewExecOn | LandlockRestrictFlags.LogSubdomainsOff;
    private const LandlockRestrictFlags LogTsync = Log | LandlockRestrictFlags.Tsync;

    private static readonly AbiFeatures[] Table =
    [
        new(LandlockAbi.V1, new Version(5, 13), FsV1, LandlockAccessNet.None, LandlockScope.None, LandlockRestrictFlags.None),
        new(LandlockAbi.V2, new Version(5, 19), FsV2, LandlockAccessNet.None, LandlockScope.None, LandlockRestrictFlags.None),
        new(LandlockAbi.V3, new Version(6, 2), FsV3, LandlockAccessNet.None, LandlockScope.None, LandlockRestrictFlags.None),
        new(LandlockAbi.V4, new Version(6, 7), FsV3, Tcp, LandlockScope.None, LandlockRestrictFlags.None),
        new(LandlockAbi.V5, new Version(6, 10), FsV5, Tcp, LandlockScope.None, LandlockRestrictFlags.None),
        new(LandlockAbi.V6, new Version(6, 12), FsV5, Tcp, Scopes, LandlockRestrictFlags.None),
        new(LandlockAbi.V7, new Version(6, 15), FsV5, Tcp, Scopes, Log),
        new(LandlockAbi.V8, new Version(7, 0), FsV5, Tcp, Scopes, LogTsync),
        new(LandlockAbi.V9, new Version(7, 1), FsV9, Tcp, Scopes, LogTsync),
        new(LandlockAbi.V10, new Version(7, 2), FsV9, TcpUdp, Scopes, LogTsync),
    ];

    /// <summary>Every ABI the module knows, oldest first.</summary>
    public static IReadOnlyList<AbiFeatures> All => Table;

    /// <summary>The features of one ABI.</summary>
    public static AbiFeatures Of(LandlockAbi abi) =>
        abi is >= LandlockAbi.V1 and <= Newest
            ? Table[(int)abi - 1]
            : throw new ArgumentOutOfRangeException(nameof(abi), abi, $"Unknown Landlock ABI; this module knows V1 to {Newest}.");

    /// <summary>The oldest ABI that provides every given right, or null if some bit is unknown.</summary>
    public static LandlockAbi? FirstProviding(LandlockAccessFs access) =>
        Table.FirstOrDefault(f => (access & ~f.AccessFs) == 0)?.Abi;

    /// <inheritdoc cref="FirstProviding(LandlockAccessFs)"/>
    public static LandlockAbi? FirstProviding(LandlockAccessNet access) =>
        Table.FirstOrDefault(f => (access & ~f.AccessNet) == 0)?.Abi;

    /// <inheritdoc cref="FirstProviding(LandlockAccessFs)"/>
    public static LandlockAbi? FirstProviding(LandlockScope scope) =>
        Table.FirstOrDefault(f => (scope & ~f.Scope) == 0)?.Abi;

    /// <inheritdoc cref="FirstProviding(LandlockAccessFs)"/>
    public static LandlockAbi? FirstProviding(LandlockRestrictFlags flags) =>
        Table.FirstOrDefault(f => (flags & ~f.RestrictFlags) == 0)?.Abi;
}
