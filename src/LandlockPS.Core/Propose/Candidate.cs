using System;
using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;

namespace LandlockPS.Core.Propose;

/// <summary>A rule in the making: the rights every need on one place adds up to, and the accesses behind them.</summary>
internal sealed class Candidate(string place)
{
    private readonly HashSet<LandlockAccessEvent> _events = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _bases = [];

    internal string Place { get; } = place;

    internal LandlockAccessFs Access { get; private set; }

    internal bool OnFolder { get; private set; }

    internal LandlockRuleFlag Flag { get; set; }

    internal string? FlagReason { get; set; }

    /// <summary>The paths the accesses behind the rule named (what the kernel checked).</summary>
    internal IEnumerable<string> Paths => _events.Select(e => e.LinkTarget ?? e.Path!).Distinct(StringComparer.Ordinal);

    /// <summary>Every path the accesses named, as given and where a link led.</summary>
    internal IEnumerable<string> NamedPaths => _events.SelectMany(e => new[] { e.Path!, e.LinkTarget }).OfType<string>().Distinct(StringComparer.Ordinal);

    internal void Add(AccessNeed need)
    {
        Access |= need.Access;
        OnFolder |= need.OnFolder;
        if (!_bases.Contains(need.Basis)) _bases.Add(need.Basis);
        _events.Add(need.Source);
    }

    /// <summary>Keeps only the rights in <paramref name="applicable"/>, now that what the place is is known.</summary>
    internal void Restrict(LandlockAccessFs applicable, bool folder)
    {
        Access &= applicable;
        OnFolder = folder;
    }

    /// <summary>
    /// Moves the rights beyond <paramref name="kept"/> (and the accesses that needed them) to a new
    /// candidate on the same place; null when this one has no such rights, or nothing else.
    /// </summary>
    internal Candidate? SplitOff(LandlockAccessFs kept)
    {
        LandlockAccessFs moved = Access & ~kept;
        if (moved == LandlockAccessFs.None || (Access & kept) == LandlockAccessFs.None) return null;
        var split = new Candidate(Place) { Access = moved, OnFolder = OnFolder };
        split._bases.AddRange(_bases);
        foreach (LandlockAccessEvent e in _events.Where(e => (e.Access & moved) != 0)) split._events.Add(e);
        _events.RemoveWhere(e => (e.Access & Access & kept) == 0);
        Access &= kept;
        return split;
    }

    /// <summary>Takes in the evidence of a rule this one makes needless.</summary>
    internal void Absorb(Candidate covered)
    {
        foreach (LandlockAccessEvent e in covered._events) _events.Add(e);
    }

    internal LandlockProposedRule ToRule(bool included, int examples) => new()
    {
        Path = Place,
        Access = Access,
        SeenCount = _events.Sum(e => e.Count),
        AccessCount = _events.Count,
        Basis = string.Join(", ", _bases),
        Programs = _events.Select(e => e.Program).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToArray(),
        Examples = _events.OrderByDescending(e => e.Count).Select(e => e.LinkTarget ?? e.Path!).Distinct(StringComparer.Ordinal).Take(examples).ToArray(),
        Flag = Flag,
        FlagReason = FlagReason,
        Included = included,
    };
}
