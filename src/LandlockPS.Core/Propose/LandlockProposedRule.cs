using System.Collections.Generic;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Propose;

/// <summary>
/// One rule of a proposal with the evidence behind it: what it grants, how often the trial needed it,
/// which programs did, and whether it was flagged (and so left out unless asked for).
/// </summary>
public sealed record LandlockProposedRule
{
    /// <summary>The file or folder the rule is on; null for a port.</summary>
    public string? Path { get; init; }

    /// <summary>The port the rule is on; null for a path.</summary>
    public int? Port { get; init; }

    /// <summary>The file-system rights it grants.</summary>
    public LandlockAccessFs Access { get; init; }

    /// <summary>The network rights it grants.</summary>
    public LandlockAccessNet NetAccess { get; init; }

    /// <summary>How many times the accesses behind it were seen (the sum of their counts).</summary>
    public long SeenCount { get; init; }

    /// <summary>How many distinct accesses are behind it.</summary>
    public int AccessCount { get; init; }

    /// <summary>Why the rule is where it is: "file", "folder", "system tree", "made or removed in this folder", "interpreter", "port"...</summary>
    public string Basis { get; init; } = string.Empty;

    /// <summary>The programs that made the accesses behind it.</summary>
    public IReadOnlyList<string> Programs { get; init; } = [];

    /// <summary>A few of the paths behind it (for a folder rule, what was touched in it).</summary>
    public IReadOnlyList<string> Examples { get; init; } = [];

    /// <summary>Why the rule is flagged; None when it is not.</summary>
    public LandlockRuleFlag Flag { get; init; }

    /// <summary>The flag in words.</summary>
    public string? FlagReason { get; init; }

    /// <summary>Whether the proposed ruleset holds the rule (a flagged one only with -IncludeFlagged).</summary>
    public bool Included { get; init; }

    /// <summary>What the rule is on: its path, or "port N".</summary>
    public string Target => Path ?? $"port {Port}";

    /// <summary>The rights in a few words: group names where they fit.</summary>
    public string DescribeAccess() => Path is null ? AccessText.FormatFlags(NetAccess) : AccessText.Format(Access);

    /// <summary>The rule in words: its rights and its target.</summary>
    public override string ToString() => $"{DescribeAccess()} on {Target}";
}
