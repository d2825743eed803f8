using System;
using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Errors;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// A ruleset as a plain description: what it handles (denies unless a rule allows it), its rules,
/// the ABI its groups were resolved against, and how to treat an older kernel. Holds no kernel
/// objects; <see cref="RulesetCompiler"/> turns it into one for each launch.
/// </summary>
public sealed class LandlockRuleset
{
    private readonly List<LandlockPathRule> _pathRules = [];
    private readonly List<LandlockNetRule> _netRules = [];
    // Where each target's rule sits, so widening a rule stays cheap in rulesets with many rules.
    private readonly Dictionary<string, int> _pathIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> _portIndex = [];
    private readonly List<LandlockProfileName> _profiles = [];

    /// <summary>A ruleset for <paramref name="abi"/>; every null argument means "all that ABI has" (deny by default).</summary>
    public LandlockRuleset(
        LandlockAbi abi = AbiFeatures.Newest,
        LandlockAccessFs? handledAccessFs = null,
        LandlockAccessNet? handledAccessNet = null,
        LandlockScope? scope = null,
        CompatibilityLevel compatibilityLevel = CompatibilityLevel.BestEffort,
        LandlockRestrictFlags logFlags = LandlockRestrictFlags.None,
        string? name = null,
        LandlockAccessFs quietAccessFs = LandlockAccessFs.None,
        LandlockAccessNet quietAccessNet = LandlockAccessNet.None,
        LandlockScope quietScope = LandlockScope.None)
    {
        AbiFeatures features = AbiFeatures.Of(abi);
        Abi = abi;
        HandledAccessFs = RequireInAbi(handledAccessFs ?? features.AccessFs, features.AccessFs, "filesystem right");
        HandledAccessNet = RequireInAbi(handledAccessNet ?? features.AccessNet, features.AccessNet, "network right");
        Scope = RequireInAbi(scope ?? features.Scope, features.Scope, "scope");
        if ((logFlags & LandlockRestrictFlags.Tsync) != 0)
        {
            throw new LandlockAccessException("InvalidLogFlags",
                "Tsync is not a log flag: LandlockPS never confines the caller's threads. Use LogSameExecOff, LogNewExecOn or LogSubdomainsOff.");
        }
        LogFlags = RequireInAbi(logFlags, features.RestrictFlags, "log flag");
        CompatibilityLevel = compatibilityLevel;
        Name = name;
        QuietAccessFs = RequireQuietHandled(quietAccessFs, HandledAccessFs, features);
        QuietAccessNet = RequireQuietHandled(quietAccessNet, HandledAccessNet, features);
        QuietScope = RequireQuietHandled(quietScope, Scope, features);
    }

    /// <summary>A label for messages and listings.</summary>
    public string? Name { get; set; }

    /// <summary>The ABI whose rights "all" and the groups stand for in this ruleset.</summary>
    public LandlockAbi Abi { get; }

    /// <summary>Filesystem rights denied unless a path rule allows them.</summary>
    public LandlockAccessFs HandledAccessFs { get; }

    /// <summary>Network rights denied unless a net rule allows them.</summary>
    public LandlockAccessNet HandledAccessNet { get; }

    /// <summary>IPC scopes: the sandbox may not reach outside its domain this way.</summary>
    public LandlockScope Scope { get; }

    /// <summary>What to do when the kernel supports less than the ruleset asks.</summary>
    public CompatibilityLevel CompatibilityLevel { get; set; }

    /// <summary>Audit log flags passed to landlock_restrict_self.</summary>
    public LandlockRestrictFlags LogFlags { get; }

    /// <summary>
    /// Filesystem rights (handled ones, ABI 10) whose denials the kernel leaves out of the audit log
    /// where they happen beneath a quiet rule (<see cref="LandlockPathRule.Quiet"/>). Logging only:
    /// nothing is allowed by it.
    /// </summary>
    public LandlockAccessFs QuietAccessFs { get; }

    /// <summary>Network rights whose denials on a quiet port rule are left out of the audit log (ABI 10).</summary>
    public LandlockAccessNet QuietAccessNet { get; }

    /// <summary>Scopes whose denials are left out of the audit log (ABI 10).</summary>
    public LandlockScope QuietScope { get; }

    /// <summary>
    /// True when the ruleset handles no right and no scope, so it restricts nothing. Such a ruleset can be
    /// described (a policy file of only variables means one) but never launched: see <see cref="RequireHandlesSomething"/>.
    /// </summary>
    public bool HandlesNothing =>
        HandledAccessFs == LandlockAccessFs.None && HandledAccessNet == LandlockAccessNet.None && Scope == LandlockScope.None;

    /// <summary>Throws EmptyRuleset when the ruleset handles nothing: confining with it would confine nothing.</summary>
    public void RequireHandlesSomething()
    {
        if (!HandlesNothing) return;
        throw new LandlockAccessException("EmptyRuleset",
            $"The ruleset{(Name is null ? string.Empty : $" '{Name}'")} handles no filesystem right, network right or scope, so it would restrict nothing. Handle at least one.");
    }

    /// <summary>The path rules, in the order they were first added.</summary>
    public IReadOnlyList<LandlockPathRule> PathRules => _pathRules;

    /// <summary>The port rules, in the order they were first added.</summary>
    public IReadOnlyList<LandlockNetRule> NetRules => _netRules;

    /// <summary>The profiles whose rules were added, in the order they were added.</summary>
    public IReadOnlyList<LandlockProfileName> Profiles => _profiles;

    // The profile catalogue adds a profile's rules (LandlockProfiles.AddProfile); the ruleset only remembers its name.
    internal void RecordProfile(LandlockProfileName name)
    {
        if (!_profiles.Contains(name)) _profiles.Add(name);
    }

    /// <summary>
    /// Adds (or widens) the rule for an absolute <paramref name="path"/>. The access must already be
    /// resolved (see <see cref="ResolveAccessFs"/>) and handled by this ruleset.
    /// </summary>
    /// <param name="path">An absolute path.</param>
    /// <param name="access">The rights to allow there.</param>
    /// <param name="quiet">Mark it quiet: denials of <see cref="QuietAccessFs"/> beneath it are not audited (ABI 10).</param>
    public LandlockPathRule AddPathRule(string path, LandlockAccessFs access, bool quiet = false)
    {
        if (!System.IO.Path.IsPathFullyQualified(path))
        {
            throw new ArgumentException($"A rule path must be absolute; got '{path}'.", nameof(path));
        }
        if (path.Contains('\0'))
        {
            // The kernel would read the path only up to the NUL: a rule on a shorter path than shown.
            throw new ArgumentException("A rule path cannot hold a NUL character.", nameof(path));
        }
        RequireHandled(access, HandledAccessFs, path);
        RequireQuietSettings(quiet, QuietAccessFs == LandlockAccessFs.None, path);
        return Upsert(_pathRules, _pathIndex, path, existing => new LandlockPathRule(path, (existing?.Access ?? 0) | access)
        {
            RulesetHandledAccessFs = HandledAccessFs,
            Quiet = quiet || existing?.Quiet == true,
        });
    }

    /// <summary>Adds (or widens) the rule for a port.</summary>
    /// <param name="port">0 to 65535.</param>
    /// <param name="access">The rights to allow on it.</param>
    /// <param name="quiet">Mark it quiet: denials of <see cref="QuietAccessNet"/> on it are not audited (ABI 10).</param>
    public LandlockNetRule AddNetRule(int port, LandlockAccessNet access, bool quiet = false)
    {
        if (port is < 0 or > LandlockNetRule.MaxPort)
        {
            throw new LandlockAccessException("InvalidPort", $"Port {port} is out of range: a port is a number from 0 to {LandlockNetRule.MaxPort}.");
        }
        RequireHandled(access, HandledAccessNet, $"port {port}");
        RequireQuietSettings(quiet, QuietAccessNet == LandlockAccessNet.None, $"port {port}");
        return Upsert(_netRules, _portIndex, port, existing => new LandlockNetRule(port, (existing?.Access ?? 0) | access) { Quiet = quiet || existing?.Quiet == true });
    }

    /// <summary>
    /// Resolves access values as a user gave them: a group means "that group, as far as this ruleset
    /// handles it"; other values are explicit rights, each of which must be handled.
    /// </summary>
    public LandlockAccessFs ResolveAccessFs(IEnumerable<LandlockAccessFs> values)
    {
        (LandlockAccessFs fromGroups, LandlockAccessFs explicitRights) = AccessGroups.Resolve(values, HandledAccessFs);
        RequireHandled(explicitRights, HandledAccessFs, target: null);
        return fromGroups | explicitRights;
    }

    /// <summary>A copy with the same settings and rules, to add to without touching this one.</summary>
    public LandlockRuleset Clone()
    {
        var copy = new LandlockRuleset(Abi, HandledAccessFs, HandledAccessNet, Scope, CompatibilityLevel, LogFlags, Name, QuietAccessFs, QuietAccessNet, QuietScope);
        foreach (LandlockPathRule rule in _pathRules) copy.AddPathRule(rule.Path, rule.Access, rule.Quiet);
        foreach (LandlockNetRule rule in _netRules) copy.AddNetRule(rule.Port, rule.Access, rule.Quiet);
        copy._profiles.AddRange(_profiles);
        return copy;
    }

    /// <summary>
    /// Adds a rule granting what of <paramref name="access"/> this ruleset handles and applies to the
    /// target (a file gets no directory-only rights). Rights it does not handle are unrestricted
    /// anyway. Returns what was granted (None: no rule was needed).
    /// </summary>
    public LandlockAccessFs AddPathRuleWithin(string path, LandlockAccessFs access, bool isDirectory)
    {
        LandlockAccessFs granted = access & HandledAccessFs & (isDirectory ? LandlockAccessFs.ReadWriteExecute : AccessGroups.FileApplicable);
        if (granted != LandlockAccessFs.None) AddPathRule(path, granted);
        return granted;
    }

    /// <summary>
    /// Adds a rule for <paramref name="path"/> as <see cref="AddPathRuleWithin"/> does, if it exists
    /// and can be opened; returns what it is (for <see cref="RuleTargetKind.Inaccessible"/>,
    /// <paramref name="problem"/> says why) and what was granted.
    /// </summary>
    public RuleTargetKind AddPathRuleIfPresent(string path, LandlockAccessFs access, out LandlockAccessFs granted, out string? problem)
    {
        RuleTargetKind kind = RuleTarget.Probe(path, out problem);
        granted = kind is RuleTargetKind.File or RuleTargetKind.Directory
            ? AddPathRuleWithin(path, access, kind == RuleTargetKind.Directory)
            : LandlockAccessFs.None;
        return kind;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name ?? "LandlockRuleset"} ({Abi}, {_pathRules.Count} path rule(s), {_netRules.Count} net rule(s))";

    private static T Upsert<T, TKey>(List<T> rules, Dictionary<TKey, int> index, TKey target, Func<T?, T> make)
        where T : class where TKey : notnull
    {
        bool known = index.TryGetValue(target, out int at);
        T rule = make(known ? rules[at] : null);
        if (known)
        {
            rules[at] = rule;
        }
        else
        {
            index[target] = rules.Count;
            rules.Add(rule);
        }
        return rule;
    }

    private TEnum RequireInAbi<TEnum>(TEnum requested, TEnum available, string what) where TEnum : struct, Enum
    {
        ulong extra = Convert.ToUInt64(requested) & ~Convert.ToUInt64(available);
        if (extra == 0) return requested;
        TEnum extraValue = (TEnum)Enum.ToObject(typeof(TEnum), extra);
        string needs = FirstProvidingText(extraValue);
        throw new LandlockAccessException("AccessNotInAbi",
            $"The {what}(s) {AccessText.FormatFlags(extraValue)} are not part of Landlock ABI {Abi}{needs}. " +
            "Make the ruleset for a newer ABI, or leave them out.") { Remedy = LandlockRemedy.ChooseAbi };
    }

    private TEnum RequireQuietHandled<TEnum>(TEnum quiet, TEnum handled, AbiFeatures features) where TEnum : struct, Enum
    {
        ulong requested = Convert.ToUInt64(quiet);
        if (requested == 0) return quiet;
        if (!features.Quiet)
        {
            throw new LandlockAccessException("AccessNotInAbi",
                $"Quiet settings are not part of Landlock ABI {Abi} (they need V10). Make the ruleset for V10, or leave them out.") { Remedy = LandlockRemedy.ChooseAbi };
        }
        ulong notHandled = requested & ~Convert.ToUInt64(handled);
        if (notHandled == 0) return quiet;
        throw new LandlockAccessException("AccessNotHandled",
            $"The ruleset does not handle {AccessText.FormatFlags((TEnum)Enum.ToObject(typeof(TEnum), notHandled))}, so it cannot quiet its denials: only a handled right is ever denied.");
    }

    // The kernel refuses a quiet rule in a ruleset that quiets nothing of its kind.
    private static void RequireQuietSettings(bool quiet, bool nothingQuiet, string target)
    {
        if (!quiet || !nothingQuiet) return;
        throw new LandlockAccessException("AccessNotApplicable",
            $"The rule for {target} is marked quiet, but the ruleset quiets no right of its kind: give the ruleset quiet rights first (a quiet rule quiets only those).");
    }

    private static string FirstProvidingText<TEnum>(TEnum value) where TEnum : struct, Enum
    {
        LandlockAbi? abi = value switch
        {
            LandlockAccessFs fs => AbiFeatures.FirstProviding(fs),
            LandlockAccessNet net => AbiFeatures.FirstProviding(net),
            LandlockScope scope => AbiFeatures.FirstProviding(scope),
            LandlockRestrictFlags flags => AbiFeatures.FirstProviding(flags),
            _ => null,
        };
        return abi is { } a ? $" (they need {a})" : " (unknown to this module)";
    }

    private static void RequireHandled<TEnum>(TEnum access, TEnum handled, string? target) where TEnum : struct, Enum
    {
        ulong requested = Convert.ToUInt64(access);
        ulong notHandled = requested & ~Convert.ToUInt64(handled);
        string where = target is null ? string.Empty : $" for {target}";
        if (requested == 0 && target is not null)
        {
            throw new LandlockAccessException("AccessNotApplicable", $"The rule{where} grants no access right; name at least one.");
        }
        if (notHandled != 0)
        {
            TEnum extra = (TEnum)Enum.ToObject(typeof(TEnum), notHandled);
            throw new LandlockAccessException("AccessNotHandled",
                $"The ruleset does not handle {AccessText.FormatFlags(extra)}, so a rule{where} cannot grant it (unhandled rights are " +
                "never restricted in the first place). Handle it in the ruleset, or leave it out of the rule.");
        }
    }
}
