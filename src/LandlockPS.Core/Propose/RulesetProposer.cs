using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LandlockPS.Core.Dependencies;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;
using LandlockPS.Core.Observe;
using LandlockPS.Core.Sandbox;

namespace LandlockPS.Core.Propose;

/// <summary>
/// Turns what a trial run accessed into the tightest ruleset that allows it: each access becomes the
/// rights the kernel checks, on the place it checks them (a file, or the folder an entry is made or
/// removed in); reads of system trees collapse to their roots; the granularity widens the rest as far
/// as asked; flagged rules are left out unless asked for. What the trial never touched stays denied.
/// </summary>
public sealed class RulesetProposer
{
    private const LandlockAccessFs ReadRights = LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir | LandlockAccessFs.Execute;
    private const LandlockAccessFs ProgramRights = LandlockAccessFs.ReadFile | LandlockAccessFs.Execute;

    // Rights the kernel checks on the folder that holds the entry: making, removing, moving in or out.
    private const LandlockAccessFs EntryRights = LandlockAccessFs.ReadWriteExecute & ~AccessGroups.FileApplicable & ~LandlockAccessFs.ReadDir;

    private const int ExamplesKept = 3;
    private const string MadeHere = "made or removed in this folder";

    private readonly ProposalOptions _options;
    private readonly RuleRisks _risks;
    private readonly List<string> _notes = [];
    private readonly List<string> _missing = [];
    private readonly Dictionary<string, string[]> _interpreters = new(StringComparer.Ordinal);

    private RulesetProposer(ProposalOptions options)
    {
        _options = options;
        _risks = new RuleRisks(options.Home, options.TempFolder);
    }

    /// <summary>Proposes a ruleset from <paramref name="events"/>, reading the file system only to tell files from folders and to find interpreters.</summary>
    public static LandlockProposal Propose(IEnumerable<LandlockAccessEvent> events, ProposalOptions options)
    {
        ArgumentNullException.ThrowIfNull(events);
        var proposer = new RulesetProposer(options);
        var ruleset = new LandlockRuleset(options.Abi, name: options.Name);
        LandlockAccessEvent[] admitted = proposer.Admit(events);
        var rules = new List<LandlockProposedRule>();
        rules.AddRange(proposer.PathRules(admitted, ruleset));
        rules.AddRange(proposer.NetRules(admitted, ruleset));
        return new LandlockProposal(ruleset, rules, proposer._notes, proposer._missing);
    }

    // ---- which events count -------------------------------------------------------------------

    private LandlockAccessEvent[] Admit(IEnumerable<LandlockAccessEvent> events)
    {
        var admitted = new List<LandlockAccessEvent>();
        int implicitCount = 0, startup = 0, scratch = 0, excluded = 0;
        foreach (LandlockAccessEvent e in events)
        {
            if (e.Implicit) implicitCount++;
            else if (e.Startup) startup++;
            else if (e.Path is null && e.Port is null) continue;
            else if (e.Path is not null && !IsUsablePath(e.Path)) _notes.Add($"The access path '{e.Path}' is not absolute and was left out.");
            else if (e.Port is < 0 or > LandlockNetRule.MaxPort) _notes.Add($"The port {e.Port} is out of range and was left out.");
            else if (InScratchHome(e)) scratch++;
            else if (IsExcluded(e)) excluded++;
            else admitted.Add(Normalized(e));
        }
        Note(implicitCount, "access(es) covered by the implicit rules of a script block's child pwsh (its runtime, libraries and scratch home) were left out: the launch of a child pwsh adds those rules itself");
        Note(startup, "access(es) a script block's child pwsh made only while it started, before the block ran, were left out: they are not the block's, and pwsh starts without them");
        Note(scratch, $"access(es) in a sandbox's scratch home ({ScratchHome.Prefix}*) were left out: each run gets a new one");
        Note(excluded, "access(es) under the excluded paths were left out");
        return admitted.ToArray();
    }

    private void Note(int count, string text)
    {
        if (count > 0) _notes.Add($"{count} {text}.");
    }

    private static bool IsUsablePath(string path) => path.StartsWith('/') && !path.Contains('\0');

    private static LandlockAccessEvent Normalized(LandlockAccessEvent e) => e with
    {
        Path = e.Path is null ? null : PlacePath.Normalize(e.Path),
        LinkTarget = e.LinkTarget is { } t && IsUsablePath(t) ? PlacePath.Normalize(t) : null,
    };

    private static bool InScratchHome(LandlockAccessEvent e) =>
        new[] { e.Path, e.LinkTarget }.OfType<string>()
            .Any(p => PlacePath.Names(p).Any(n => n.StartsWith(ScratchHome.Prefix, StringComparison.Ordinal)));

    private bool IsExcluded(LandlockAccessEvent e) =>
        e.Path is { } path && (_options.ExcludedPaths ?? []).Any(root => PlacePath.IsWithin(path, PlacePath.Normalize(root)));

    // What the kernel checks: the final file when a link was followed on the way.
    private static string Effective(LandlockAccessEvent e) => e.LinkTarget ?? e.Path!;

    // ---- path rules ---------------------------------------------------------------------------

    private IEnumerable<LandlockProposedRule> PathRules(LandlockAccessEvent[] events, LandlockRuleset ruleset)
    {
        LandlockAccessEvent[] fs = events.Where(e => e.Path is not null && e.Access != LandlockAccessFs.None).ToArray();
        HashSet<string> transient = Transient(fs);
        IEnumerable<AccessNeed> needs = fs.SelectMany(Needs).Select(n => Relocate(n, transient)).Select(Collapse);
        List<Candidate> ready = Aggregate(Widen(needs.ToList())).Where(c => Prepare(c, ruleset)).SelectMany(SplitFlagged).ToList();
        var proposed = new List<LandlockProposedRule>();
        foreach (Candidate candidate in MergeCovered(ready).OrderBy(c => c.Place, StringComparer.Ordinal))
        {
            bool included = IsIncluded(candidate);
            if (included) ruleset.AddPathRule(candidate.Place, candidate.Access);
            proposed.Add(candidate.ToRule(included, ExamplesKept));
        }
        return proposed;
    }

    // Entries the trial made or removed: what it does in them, or with them, it will do with new names next time.
    private static HashSet<string> Transient(IEnumerable<LandlockAccessEvent> events) =>
        events.Where(e => (e.Access & EntryRights & ~LandlockAccessFs.Refer) != 0).Select(Effective).ToHashSet(StringComparer.Ordinal);

    private IEnumerable<AccessNeed> Needs(LandlockAccessEvent e)
    {
        string path = Effective(e);
        LandlockAccessFs access = e.Access;
        if ((access & EntryRights) != 0)
        {
            LandlockAccessFs rights = access & ~LandlockAccessFs.ReadDir;
            // A file made for writing is there on the next run, and opened again to be truncated.
            if ((access & LandlockAccessFs.MakeReg) != 0 && (access & LandlockAccessFs.WriteFile) != 0) rights |= LandlockAccessFs.Truncate;
            yield return new AccessNeed(PlacePath.Parent(path), rights, OnFolder: true, MadeHere, e);
            yield break;
        }
        if ((access & LandlockAccessFs.ReadDir) != 0) yield return new AccessNeed(path, LandlockAccessFs.ReadDir, OnFolder: true, "folder listed", e);
        LandlockAccessFs fileRights = access & ~LandlockAccessFs.ReadDir;
        if (fileRights == LandlockAccessFs.None) yield break;
        if ((fileRights & LandlockAccessFs.Execute) == 0)
        {
            yield return new AccessNeed(path, fileRights, OnFolder: false, "file", e);
            yield break;
        }
        yield return new AccessNeed(path, fileRights | ProgramRights, OnFolder: false, "program", e);
        foreach (string interpreter in Interpreters(path))
        {
            yield return new AccessNeed(interpreter, ProgramRights, OnFolder: false, "interpreter", e);
        }
    }

    /// <summary>
    /// What the kernel opens to execute <paramref name="program"/> besides it: its #! interpreters and
    /// the last one's ELF interpreter (a trace does not see those opens), each with its links resolved.
    /// </summary>
    private string[] Interpreters(string program)
    {
        if (_interpreters.TryGetValue(program, out string[]? known)) return known;
        var found = new List<string>();
        string current = program;
        for (int depth = 0; depth < Dependencies.ProgramDependencies.MaxInterpreterDepth; depth++)
        {
            // One the kernel would refuse to execute (#!/etc/shadow) gets no rule: the trial could not have run it.
            if (ExecutableInspector.FindInterpreter(current) is not { } interpreter || !Path.IsPathFullyQualified(interpreter)
                || ProcessApi.Access(interpreter, ProcessApi.X_OK) != 0) break;
            found.Add(PathLookup.RealPath(interpreter, out _) ?? interpreter);
            if (ExecutableInspector.ReadShebang(current) is null) break;
            current = interpreter;
        }
        return _interpreters[program] = found.ToArray();
    }

    // Rights on an entry the trial made or removed, or inside one, go on the folder it was made in.
    private static AccessNeed Relocate(AccessNeed need, HashSet<string> transient)
    {
        string? top = PlacePath.SelfAndAncestorsFromTop(need.Place).FirstOrDefault(transient.Contains);
        return top is null ? need : need with { Place = PlacePath.Parent(top), OnFolder = true, Basis = MadeHere };
    }

    private static AccessNeed Collapse(AccessNeed need) =>
        ProposalPlaces.TreeFor(need.Place, need.Access) is { } tree
            ? need with { Place = tree.Root, Access = tree.Access, OnFolder = true, Basis = "system tree" }
            : need;

    private List<AccessNeed> Widen(List<AccessNeed> needs)
    {
        if (_options.Granularity == ProposalGranularity.File) return needs;
        List<AccessNeed> folders = needs.Select(ToFolder).ToList();
        return _options.Granularity == ProposalGranularity.Tree ? MergeTrees(folders) : folders;
    }

    // A file's folder, unless that is a top folder (/, /etc, a home, the temp folder...): widening to one gives away too much.
    private AccessNeed ToFolder(AccessNeed need)
    {
        if (need.OnFolder) return need;
        string folder = PlacePath.Parent(need.Place);
        return _risks.IsBoundary(folder) ? need : need with { Place = folder, OnFolder = true, Basis = "folder of a file" };
    }

    // Alike accesses (reads, or writes) beneath one top folder merge into the deepest folder holding them all.
    private List<AccessNeed> MergeTrees(List<AccessNeed> needs)
    {
        var merged = new List<AccessNeed>();
        foreach (IGrouping<(bool, string), AccessNeed> group in needs.GroupBy(n => ((n.Access & ~ReadRights) == 0, _risks.TopFolder(n.Place))))
        {
            AccessNeed[] members = group.ToArray();
            string common = members.Select(n => n.Place).Aggregate(PlacePath.CommonAncestor);
            bool widened = members.Any(n => n.Place != common);
            merged.AddRange(members.Select(n => widened && n.Basis != "system tree" ? n with { Place = common, OnFolder = true, Basis = "tree" } : n));
        }
        return merged;
    }

    private static List<Candidate> Aggregate(IEnumerable<AccessNeed> needs)
    {
        var byPlace = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        foreach (AccessNeed need in needs)
        {
            if (!byPlace.TryGetValue(need.Place, out Candidate? candidate)) byPlace[need.Place] = candidate = new Candidate(need.Place);
            candidate.Add(need);
        }
        return byPlace.Values.ToList();
    }

    /// <summary>
    /// Finds what <paramref name="candidate"/> is now (a rule must name something that exists), keeps the
    /// rights the ruleset handles and the place can take, and judges it. False: it gets no rule.
    /// </summary>
    private bool Prepare(Candidate candidate, LandlockRuleset ruleset)
    {
        RuleTargetKind kind = RuleTarget.Probe(candidate.Place);
        if (kind == RuleTargetKind.Missing)
        {
            _missing.Add(candidate.Place);
            return false;
        }
        bool folder = kind == RuleTargetKind.Directory || (kind == RuleTargetKind.Inaccessible && candidate.OnFolder);
        candidate.Restrict(ruleset.HandledAccessFs & (folder ? LandlockAccessFs.ReadWriteExecute : AccessGroups.FileApplicable), folder);
        if (candidate.Access == LandlockAccessFs.None) return false;
        Judge(candidate);
        return true;
    }

    private void Judge(Candidate candidate)
    {
        (LandlockRuleFlag flag, string? reason) = _risks.Classify(candidate.Place, candidate.OnFolder, candidate.Access, candidate.Paths, candidate.NamedPaths);
        candidate.Flag = flag;
        candidate.FlagReason = reason;
    }

    // A flag is about some of a place's rights: the rest need not go with them (git status reads .git,
    // and would fail without it, though the write to .git is flagged; a program that lists /tmp still
    // writes its own temp files there). Each part is judged on its own, and split again if need be.
    private IEnumerable<Candidate> SplitFlagged(Candidate candidate)
    {
        LandlockAccessFs? kept = (candidate.Flag & RuleRisks.WriteFlags) != 0 ? RuleRisks.ReadRights
            : (candidate.Flag & LandlockRuleFlag.WideListing) != 0 ? ~LandlockAccessFs.ReadDir
            : null;
        if (kept is null || candidate.SplitOff(kept.Value) is not { } flagged)
        {
            yield return candidate;
            yield break;
        }
        Judge(candidate);
        Judge(flagged);
        foreach (Candidate part in SplitFlagged(candidate).Concat(SplitFlagged(flagged))) yield return part;
    }

    private bool IsIncluded(Candidate candidate) => candidate.Flag == LandlockRuleFlag.None || _options.IncludeFlagged;

    /// <summary>
    /// A rule whose rights granted folder rules above it already give adds nothing: its evidence joins
    /// the deepest such folder's, which is judged again with it once all have joined (a secret it read
    /// now reads through that folder).
    /// </summary>
    private List<Candidate> MergeCovered(List<Candidate> candidates)
    {
        var kept = new List<Candidate>();
        // Included folder rules by place (a place split in two may have both parts here).
        var folders = new Dictionary<string, List<Candidate>>(StringComparer.Ordinal);
        var grown = new HashSet<Candidate>(ReferenceEqualityComparer.Instance);
        foreach (Candidate candidate in candidates.OrderBy(c => PlacePath.Depth(c.Place)))
        {
            Candidate[] above = PlacePath.SelfAndAncestorsFromTop(candidate.Place).SkipLast(1)
                .SelectMany(folder => folders.GetValueOrDefault(folder) ?? []).ToArray();
            LandlockAccessFs inherited = above.Aggregate(LandlockAccessFs.None, (all, k) => all | k.Access);
            if (above.Length == 0 || (candidate.Access & ~inherited) != 0)
            {
                kept.Add(candidate);
                if (candidate.OnFolder && IsIncluded(candidate))
                {
                    if (!folders.TryGetValue(candidate.Place, out List<Candidate>? here)) folders[candidate.Place] = here = [];
                    here.Add(candidate);
                }
                continue;
            }
            Candidate deepest = above.MaxBy(k => k.Place.Length)!;
            deepest.Absorb(candidate);
            grown.Add(deepest);
        }
        foreach (Candidate candidate in grown) Judge(candidate);
        return kept;
    }

    // ---- net rules ----------------------------------------------------------------------------

    private IEnumerable<LandlockProposedRule> NetRules(LandlockAccessEvent[] events, LandlockRuleset ruleset)
    {
        foreach (IGrouping<int, LandlockAccessEvent> port in events.Where(e => e.Port is not null && e.NetAccess != LandlockAccessNet.None)
                     .GroupBy(e => e.Port!.Value).OrderBy(g => g.Key))
        {
            LandlockAccessNet wanted = port.Aggregate(LandlockAccessNet.None, (all, e) => all | e.NetAccess);
            LandlockAccessNet access = wanted & ruleset.HandledAccessNet;
            if (access != wanted)
            {
                _notes.Add($"{AccessText.FormatFlags(wanted & ~access)} on port {port.Key} is not restricted by ABI {ruleset.Abi}: no rule is needed.");
            }
            if (access == LandlockAccessNet.None) continue;
            ruleset.AddNetRule(port.Key, access);
            yield return new LandlockProposedRule
            {
                Port = port.Key,
                NetAccess = access,
                SeenCount = port.Sum(e => e.Count),
                AccessCount = port.Count(),
                Basis = string.Join(", ", port.Select(e => e.Operation).Where(o => o.Length > 0).Distinct(StringComparer.Ordinal)),
                Programs = port.Select(e => e.Program).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToArray(),
                Included = true,
            };
        }
    }
}
