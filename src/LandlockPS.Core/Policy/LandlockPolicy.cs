using System;
using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Policy;

/// <summary>
/// What one or more landlockconfig files mean before variables are resolved and paths looked up: the
/// handled rights (as declared plus those the rules use), the variables, and the rules keyed by their
/// path template and port, each remembering where it was written. Several compose into one with
/// <see cref="Compose"/>; <see cref="PolicyImport.ToRuleset"/> turns one into a ruleset.
/// </summary>
public sealed class LandlockPolicy
{
    private readonly Dictionary<string, int> _pathIndex = new(StringComparer.Ordinal);
    private readonly List<PolicyNote> _details = [];
    private readonly List<PolicyNote> _warnings = [];

    internal LandlockPolicy(IReadOnlyList<string> sources) => Sources = sources;

    /// <summary>The files (or &lt;stdin&gt;) this policy was read from, in the order given.</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>What reading (and composing) had to tell: rules left out or narrowed.</summary>
    public IReadOnlyList<PolicyNote> Details => _details;

    /// <summary>What a reader should not miss: rights a composition leaves unrestricted.</summary>
    public IReadOnlyList<PolicyNote> Warnings => _warnings;

    /// <summary>The top-level abi, if the file pins one; the lowest one for a composition.</summary>
    internal int? Abi { get; set; }

    internal LandlockAccessFs HandledAccessFs { get; set; }

    internal LandlockAccessNet HandledAccessNet { get; set; }

    internal LandlockScope Scope { get; set; }

    internal Dictionary<string, SortedSet<string>> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>Rules by path template, in the order first written (see <see cref="AddPathRule"/>).</summary>
    internal List<PolicyPathRule> PathRules { get; } = [];

    /// <summary>Rules by port, in the order first written; a port given twice unions its rights. Ports are checked against 0-65535 only when a rule survives to the ruleset, as upstream does.</summary>
    internal OrderedDictionary<ulong, PolicyNetRule> NetRules { get; } = [];

    internal void Tell(PolicyOrigin? origin, string message) => _details.Add(new PolicyNote(origin, message));

    internal void Warn(PolicyOrigin? origin, string message) => _warnings.Add(new PolicyNote(origin, message));

    internal void AddVariable(string name, IEnumerable<string> values)
    {
        if (!Variables.TryGetValue(name, out SortedSet<string>? known)) Variables[name] = known = new(StringComparer.Ordinal);
        known.UnionWith(values);
    }

    /// <summary>Adds a rule; a template given twice unions its rights and keeps its first place and origin.</summary>
    internal void AddPathRule(PolicyTemplate template, LandlockAccessFs access, PolicyOrigin origin)
    {
        if (_pathIndex.TryGetValue(template.Key, out int at))
        {
            PathRules[at] = PathRules[at] with { Access = PathRules[at].Access | access };
            return;
        }
        _pathIndex[template.Key] = PathRules.Count;
        PathRules.Add(new PolicyPathRule(template, access, origin));
    }

    /// <summary>Adds a rule; a port given twice unions its rights and keeps its first origin.</summary>
    internal void AddNetRule(ulong port, LandlockAccessNet access, PolicyOrigin origin) =>
        NetRules[port] = NetRules.TryGetValue(port, out PolicyNetRule? known) ? known with { Access = known.Access | access } : new PolicyNetRule(access, origin);

    /// <summary>
    /// Composes policies as landlockconfig's library and its llconfig tool do: the result handles what
    /// every part handles; every rule is limited to that, and left out when nothing is left; variables
    /// merge (so a rule of one part can use a variable another part defines, or adds values to); the
    /// abi is the lowest pinned. The operation is commutative and idempotent, so the order of the parts
    /// changes only the order of rules and messages.
    /// </summary>
    public static LandlockPolicy Compose(IReadOnlyList<LandlockPolicy> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("Nothing to compose.", nameof(parts));
        if (parts.Count == 1) return parts[0];
        LandlockPolicy composed = Handling(parts, every: true, parts.SelectMany(p => p.Sources).ToArray());
        composed.Abi = parts.Min(p => p.Abi);
        LandlockPolicy anyPart = Handling(parts, every: false, []);
        foreach (LandlockPolicy part in parts)
        {
            composed.WarnAboutWhatPartLeavesOut(part, anyPart);
            composed.Merge(part);
        }
        return composed;
    }

    /// <summary>A policy without rules that handles what every part handles, or what any part does.</summary>
    private static LandlockPolicy Handling(IReadOnlyList<LandlockPolicy> parts, bool every, IReadOnlyList<string> sources) => new(sources)
    {
        HandledAccessFs = parts.Select(p => p.HandledAccessFs).Aggregate((a, b) => every ? a & b : a | b),
        HandledAccessNet = parts.Select(p => p.HandledAccessNet).Aggregate((a, b) => every ? a & b : a | b),
        Scope = parts.Select(p => p.Scope).Aggregate((a, b) => every ? a & b : a | b),
    };

    /// <summary>Takes in a part's messages, variables and rules, each rule limited to what this policy handles.</summary>
    private void Merge(LandlockPolicy part)
    {
        _details.AddRange(part._details);
        _warnings.AddRange(part._warnings);
        foreach ((string name, SortedSet<string> values) in part.Variables) AddVariable(name, values);
        foreach (PolicyPathRule rule in part.PathRules)
        {
            if (Keeps(rule.Access, HandledAccessFs, $"'{rule.Template.Source}'", rule.Origin, out LandlockAccessFs kept)) AddPathRule(rule.Template, kept, rule.Origin);
        }
        foreach ((ulong port, PolicyNetRule rule) in part.NetRules)
        {
            if (Keeps(rule.Access, HandledAccessNet, $"port {port}", rule.Origin, out LandlockAccessNet kept)) AddNetRule(port, kept, rule.Origin);
        }
    }

    /// <summary>Limits a rule's rights to what the composition handles; says so when that takes some or all away.</summary>
    private bool Keeps<T>(T access, T handled, string target, PolicyOrigin origin, out T kept) where T : struct, Enum
    {
        ulong granted = Convert.ToUInt64(access), left = granted & Convert.ToUInt64(handled);
        kept = (T)Enum.ToObject(typeof(T), left);
        if (left == granted) return true;
        Tell(origin, left == 0
            ? $"The rule for {target} ({AccessText.FormatFlags(access)}) is left out of the composition: not every file handles any of its rights."
            : $"The rule for {target} keeps only what every composed file handles; it loses {AccessText.FormatFlags((T)Enum.ToObject(typeof(T), granted & ~left))}.");
        return left != 0;
    }

    // A composition restricts only what every part handles. Upstream means it so (a safe common
    // subset across ABIs), but a part that handles less silently unrestricts the others' rights.
    private void WarnAboutWhatPartLeavesOut(LandlockPolicy part, LandlockPolicy anyPart)
    {
        string[] lost = new[]
        {
            AccessText.FormatFlags(anyPart.HandledAccessFs & ~part.HandledAccessFs),
            AccessText.FormatFlags(anyPart.HandledAccessNet & ~part.HandledAccessNet),
            AccessText.FormatFlags(anyPart.Scope & ~part.Scope),
        }.Where(t => t != "None").ToArray();
        if (lost.Length == 0) return;
        string what = part.HandlesNothing ? "handles nothing" : $"does not handle {string.Join(", ", lost)}";
        Warn(null, $"{string.Join(", ", part.Sources)} {what}, so the composition leaves {string.Join(", ", lost)} unrestricted: " +
            "a composition restricts only what every file handles. Handle these in that file (a ruleset entry) to keep them restricted.");
    }

    /// <summary>True when the policy handles no right and no scope (a file of only variables, for one).</summary>
    public bool HandlesNothing =>
        HandledAccessFs == LandlockAccessFs.None && HandledAccessNet == LandlockAccessNet.None && Scope == LandlockScope.None;
}

/// <summary>A path_beneath rule of a policy: a path template, the rights it grants, where it was first written.</summary>
internal sealed record PolicyPathRule(PolicyTemplate Template, LandlockAccessFs Access, PolicyOrigin Origin);

/// <summary>A net_port rule's rights and where it was first written (the port is its key).</summary>
internal sealed record PolicyNetRule(LandlockAccessNet Access, PolicyOrigin Origin);
