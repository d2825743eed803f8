using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Propose;

/// <summary>Judges proposed rules against <see cref="ProposalPlaces"/>: what is flagged, and which folders are too high to widen to.</summary>
internal sealed class RuleRisks(string? home, string? tempFolder)
{
    // Reading and running change nothing; connecting to a socket is judged by where it is.
    private const LandlockAccessFs NotWrites =
        LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir | LandlockAccessFs.Execute | LandlockAccessFs.ResolveUnix;

    private readonly string? _home = home is { Length: > 1 } h && h.StartsWith('/') ? PlacePath.Normalize(h) : null;
    private readonly string? _temp = tempFolder is { Length: > 1 } t && t.StartsWith('/') ? PlacePath.Normalize(t) : null;

    /// <summary>Why a rule granting <paramref name="access"/> on <paramref name="place"/> must not be granted silently, if it must not.</summary>
    internal (LandlockRuleFlag Flag, string? Reason) Classify(string place, bool folder, LandlockAccessFs access, IEnumerable<string> paths, IEnumerable<string>? named = null)
    {
        var flag = LandlockRuleFlag.None;
        var reasons = new List<string>();
        bool writes = (access & ~NotWrites) != 0;
        if (writes && IsSystemWrite(place))
        {
            flag |= LandlockRuleFlag.SystemWrite;
            reasons.Add("it writes within a system tree");
        }
        if (writes && (ProposalPlaces.CoversHome(place, _home) || IsHomeStartupFile(place)))
        {
            flag |= LandlockRuleFlag.HomeWrite;
            reasons.Add("it writes a home folder or its start-up and configuration files");
        }
        if (writes && WritesRepositoryControl(place, folder, named ?? paths))
        {
            flag |= LandlockRuleFlag.RepositoryWrite;
            reasons.Add("it writes a repository's .git or .hg, whose hooks and configuration run unconfined with your next git or hg command there");
        }
        if (folder && (access & LandlockAccessFs.ReadDir) != 0 && IsWideListing(place))
        {
            flag |= LandlockRuleFlag.WideListing;
            reasons.Add($"it lists every folder below {place}, with the names of all files there");
        }
        string? secret = paths.Prepend(place).FirstOrDefault(p => ProposalPlaces.LooksSecret(p, _home));
        if (secret is not null)
        {
            flag |= LandlockRuleFlag.Secret;
            reasons.Add($"{secret} looks like a secret");
        }
        else if (folder && (access & ~(LandlockAccessFs.ReadDir | LandlockAccessFs.Execute)) != 0 && HoldsSecrets(place))
        {
            flag |= LandlockRuleFlag.Secret;
            reasons.Add("the folder holds secrets (a home folder, /etc/shadow, /etc/ssl/private)");
        }
        return (flag, reasons.Count == 0 ? null : string.Join("; ", reasons));
    }

    /// <summary>A folder no rule is widened to: /, the first level of the system trees, a home, the temp folder...</summary>
    internal bool IsBoundary(string folder) =>
        ProposalPlaces.TreeBoundaries.Contains(folder) || ProposalPlaces.SystemWriteTrees.Contains(folder)
        || ProposalPlaces.SystemTrees.Any(t => t.Root == folder) || folder == _temp || ProposalPlaces.IsHome(folder, _home);

    /// <summary>The folder right below the deepest boundary holding <paramref name="place"/> (the place itself when it is a boundary).</summary>
    internal string TopFolder(string place)
    {
        string[] chain = PlacePath.SelfAndAncestorsFromTop(place).ToArray();
        int boundary = System.Array.FindLastIndex(chain, IsBoundary);
        return boundary == chain.Length - 1 ? place : chain[boundary + 1];
    }

    /// <summary>The flags a rule gets for what it writes: a rule's reads need not go with them.</summary>
    internal const LandlockRuleFlag WriteFlags = LandlockRuleFlag.SystemWrite | LandlockRuleFlag.HomeWrite | LandlockRuleFlag.RepositoryWrite;

    /// <summary>The rights that change nothing: a rule of these alone is no write.</summary>
    internal const LandlockAccessFs ReadRights = NotWrites;

    // The most folders below a write rule's folder looked into for a repository.
    private const int RepositorySearchLimit = 256;

    // Within a repository's control folder, by name (.git, .hg: a path the accesses named, links
    // included) or by what it holds (a folder git made with --separate-git-dir, a bare repository);
    // or on a folder that holds one, itself or one level down (a .git file too: rewritten, it points
    // git at a folder of the sandbox's choosing). Deeper repositories are not looked for.
    private static bool WritesRepositoryControl(string place, bool folder, IEnumerable<string> named) =>
        named.Prepend(place).Any(p => PlacePath.Names(p).Any(n => ProposalPlaces.RepositoryControlNames.Contains(n)))
        || PlacePath.SelfAndAncestorsFromTop(place).Any(IsGitFolder)
        || (folder && HoldsRepository(place));

    // What git itself takes for a repository's folder.
    private static bool IsGitFolder(string folder) =>
        File.Exists(Path.Join(folder, "HEAD")) && Directory.Exists(Path.Join(folder, "objects")) && Directory.Exists(Path.Join(folder, "refs"));

    private static bool HoldsRepository(string folder)
    {
        if (HasControlEntry(folder)) return true;
        try
        {
            return new DirectoryInfo(folder).EnumerateDirectories().Take(RepositorySearchLimit)
                .Any(d => HasControlEntry(d.FullName) || IsGitFolder(d.FullName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return false;
        }
    }

    private static bool HasControlEntry(string folder) => ProposalPlaces.RepositoryControlNames.Any(n => Path.Exists(Path.Join(folder, n)));

    private bool IsWideListing(string place) => place == "/" || place == _temp || ProposalPlaces.SharedTempFolders.Contains(place);

    private static bool IsSystemWrite(string place) =>
        ProposalPlaces.SystemWriteTrees.Any(t => PlacePath.IsWithin(place, t) || PlacePath.IsWithin(t, place))
        && !ProposalPlaces.WritableSystemPlaces.Any(w => PlacePath.IsWithin(place, w));

    // ~/.bashrc, ~/.profile, ~/.config/...: what runs or configures the user's next session.
    private bool IsHomeStartupFile(string place) =>
        new[] { _home, "/root" }.OfType<string>().Concat(HomeOf(place))
            .Any(h => place != h && PlacePath.IsWithin(place, h) && place[(h.Length + 1)..].StartsWith('.'));

    private static IEnumerable<string> HomeOf(string place)
    {
        string[] names = PlacePath.Names(place).ToArray();
        if (names.Length >= 2 && names[0] == "home") yield return "/home/" + names[1];
    }

    private bool HoldsSecrets(string folder) =>
        ProposalPlaces.CoversHome(folder, _home) || ProposalPlaces.SecretPlaces.Any(s => PlacePath.IsWithin(s, folder));
}
