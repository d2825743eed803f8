using System;
using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// Where a child confined by one ruleset holds some of a set of rights: every file or folder a rule
/// grants one of them on, and everything beneath such a folder. Matched by inode, links followed, as
/// the kernel matches a rule. Asked before the caller trusts a place (a folder it makes homes in, a
/// file that names a program's dependencies: <see cref="Writes"/>), since a sandbox could have put
/// anything there; and before it hands a sandbox a file (<see cref="LandlockAccessFs.ReadFile"/>).
/// </summary>
public sealed class RuleReach
{
    /// <summary>The rights that let a sandbox change what a file holds or what a folder lists: write, make, remove, rename, truncate.</summary>
    public const LandlockAccessFs Writes = LandlockAccessFs.ReadWrite & ~(LandlockAccessFs.ReadOnly | LandlockAccessFs.IoctlDev | LandlockAccessFs.ResolveUnix);

    private readonly HashSet<(uint, uint, ulong)> _roots;
    private readonly bool _everywhere;
    // Whether the rights change what a place holds (see Reach).
    private readonly bool _writes;
    private readonly Lazy<MountTable> _mounts = new(MountTable.Read);

    /// <summary>
    /// The places <paramref name="ruleset"/> grants any of <paramref name="rights"/> on, as they are
    /// now (a rule path that names nothing reaches nothing); everywhere when it leaves one of them
    /// unhandled (see <see cref="LeavesUnhandled"/>).
    /// </summary>
    public RuleReach(LandlockRuleset ruleset, LandlockAccessFs rights)
        : this(ruleset, rights, path => PathHandles.TryStatus(path)?.Identity)
    {
    }

    /// <summary>
    /// As the other constructor, but counting only the rules whose path <paramref name="linkFree"/>
    /// maps to a path without links (null leaves the rule out), each matched by what that path names
    /// opened without following any link: for a judgement a link planted on a rule's path, even
    /// for a moment, must not sway.
    /// </summary>
    public RuleReach(LandlockRuleset ruleset, LandlockAccessFs rights, Func<string, string?> linkFree)
        : this(ruleset, rights, path => linkFree(path) is { } free ? IdentityWithoutLinks(free) : null)
    {
    }

    private RuleReach(LandlockRuleset ruleset, LandlockAccessFs rights, Func<string, (uint, uint, ulong)?> identity)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        _everywhere = LeavesUnhandled(ruleset, rights);
        _writes = (rights & Writes) != 0;
        _roots = ruleset.PathRules
            .Where(r => (r.Access & rights) != 0)
            .Select(r => identity(r.Path))
            .OfType<(uint, uint, ulong)>()
            .ToHashSet();
    }

    // A right the ruleset does not handle is granted everywhere: one that handles making files but
    // not writing them lets a sandbox write any file its user may. Two exceptions: the kernel denies
    // Refer when it is not handled, and a right the ruleset's ABI cannot handle (Truncate below ABI 3)
    // is the kernel's limit, which the launch warns of, not the ruleset's choice.
    private static bool LeavesUnhandled(LandlockRuleset ruleset, LandlockAccessFs rights)
    {
        LandlockAccessFs handleable = rights & AbiFeatures.Of(ruleset.Abi).AccessFs & ~LandlockAccessFs.Refer;
        return (ruleset.HandledAccessFs & rights) == 0 || (handleable & ~ruleset.HandledAccessFs) != 0;
    }

    private static (uint, uint, ulong)? IdentityWithoutLinks(string path)
    {
        using SafePathHandle? handle = PathHandles.TryOpenWithoutLinks(path, out LibC.StatxBuffer status);
        return handle is null ? null : status.Identity;
    }

    /// <summary>Whether the rights reach no place at all: the ruleset handles them and grants them nowhere.</summary>
    public bool ReachesNothing => !_everywhere && _roots.Count == 0;

    /// <summary>
    /// Whether the rights reach <paramref name="path"/> (links followed): a rule is on it or on a folder
    /// above it, by this path or by another that a second mount of a folder above it (mount --bind)
    /// gives it. A path that names nothing is judged by its nearest existing folder, where a sandbox
    /// could make it. Rights that write also reach what an overlay mount shows from a layer they
    /// reach, an overlay's upper layer where they reach the overlay, every file on a file system
    /// whose device or image (a loop mount's) they reach, and a second mount hidden under a later one
    /// (it may have been written through before); rights that read reach a file only by the paths
    /// that lead to it now.
    /// </summary>
    public bool Reach(string path) => Reach(path, new HashSet<string>(StringComparer.Ordinal));

    // `asked`: the layer paths already judged on the way here. An overlay mounted again over one of
    // its own layers leads from the layer back into the overlay; a path met again adds nothing.
    private bool Reach(string path, HashSet<string> asked)
    {
        if (_everywhere) return true;
        if (_roots.Count == 0) return false;
        if (ReachByName(path)) return true;
        string real = PathLookup.RealPath(path, out _) ?? path;
        if (!_writes) return _mounts.Value.OtherPaths(real).Where(other => SameInode(other, real)).Any(ReachByName);
        // A layer given to mount by a relative path could lie anywhere, in reach too.
        return _mounts.Value.OtherPaths(real).Any(ReachByName)
            || _mounts.Value.LayerPaths(real).Any(layer => !System.IO.Path.IsPathRooted(layer) || asked.Add(layer) && Reach(layer, asked))
            || _mounts.Value.ViewsOf(real).Any(ReachByName)
            // The device under the file system, or its image: only one this user may write counts.
            || _mounts.Value.StoresOf(real).Any(store => ProcessApi.Access(store, ProcessApi.W_OK) == 0 && ReachByName(store));
    }

    private static bool SameInode(string path, string other) =>
        PathHandles.TryStatus(path) is { } status && PathHandles.TryStatus(other)?.Identity == status.Identity;

    private bool ReachByName(string path)
    {
        if (PathHandles.TryStatus(path) is not { } status)
        {
            string? parent = System.IO.Path.GetDirectoryName(path);
            return parent is not null && Reach(parent);
        }
        if (_roots.Contains(status.Identity)) return true;
        string? folder = status.IsDirectory ? path : System.IO.Path.GetDirectoryName(path);
        return folder is not null && LineageReached(folder);
    }

    // The folder and every folder above it, walked by descriptor up to the file system's root.
    private bool LineageReached(string folderPath)
    {
        SafeDirectoryHandle folder;
        try
        {
            folder = SafeDirectoryHandle.Open(folderPath);
        }
        catch (LandlockException)
        {
            return false; // cannot be opened: nothing there to trust either way
        }
        try
        {
            var seen = new HashSet<(uint, uint, ulong)>();
            while (seen.Add(folder.Status().Identity))
            {
                if (_roots.Contains(folder.Status().Identity)) return true;
                SafeDirectoryHandle up = folder.OpenParent();
                folder.Dispose();
                folder = up;
            }
            return false;
        }
        finally
        {
            folder.Dispose();
        }
    }
}
