using System.Collections.Generic;
using System.IO;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// The path being explained, as the kernel will meet it: what it leads to, the walk for rights on the
/// object itself (<see cref="Object"/>) and the walk for rights on its entry (<see cref="Entry"/>:
/// creating or removing it is checked on the directory that holds it). When the last component is a
/// symbolic link, <see cref="Entry"/> holds what the link leads to, where open(O_CREAT) creates, and
/// <see cref="LinkEntry"/> holds the link itself, which removing, renaming or linking acts on.
/// </summary>
internal sealed record AccessTarget(
    string FullPath,
    string RealPath,
    LandlockPathType Type,
    InodeWalk Object,
    InodeWalk Entry,
    IReadOnlyList<string> Notes,
    InodeWalk? LinkEntry = null)
{
    /// <summary>
    /// Looks <paramref name="fullPath"/> (absolute, as the kernel would be given it: "..", "." and links
    /// anywhere in it are resolved here, in the kernel's order) up now.
    /// </summary>
    internal static AccessTarget Inspect(string fullPath)
    {
        var notes = new List<string>();
        string path = Path.TrimEndingDirectorySeparator(fullPath);
        InodeWalk named = NearestDirectory(Path.GetDirectoryName(path) ?? path, notes);
        string leadsTo = FollowFinalLinks(path);
        bool isLink = leadsTo != path;
        InodeWalk entry = isLink ? NearestDirectory(Path.GetDirectoryName(leadsTo) ?? leadsTo, notes) : named;
        InodeWalk? linkEntry = isLink ? named : null;
        string onLink = isLink ? $"; removing, renaming or linking the link itself is judged on '{named.RealPath}'" : string.Empty;

        string? real = PathLookup.RealPath(leadsTo, out int errno);
        if (real is null || !PathLookup.TryStat(real, out LibC.StatxBuffer status, out errno))
        {
            RequireMissing(leadsTo, errno);
            string missing = isLink ? $"'{path}' is a symbolic link to '{leadsTo}', which does not exist" : $"'{path}' does not exist";
            notes.Add($"{missing}: it is judged as a new entry of '{entry.RealPath}', which only rules on that directory and above can cover{onLink}.");
            return new AccessTarget(path, Path.Join(entry.RealPath, Path.GetFileName(leadsTo)), LandlockPathType.Missing, entry, entry, notes, linkEntry);
        }
        if (real != path)
        {
            notes.Add($"'{path}' leads to '{real}' (symbolic links and '..' resolved in the kernel's order): Landlock checks the object at '{real}', " +
                $"and creating or removing the entry on '{entry.RealPath}'{onLink}.");
        }
        return new AccessTarget(path, real, TypeOf(status), InodeWalk.Up(real), entry, notes, linkEntry);
    }

    /// <summary>
    /// Where <paramref name="path"/> leads once symbolic links in its last component are followed, as
    /// open(2) follows them (a dangling link included: O_CREAT creates its target); itself when it is no link.
    /// </summary>
    private static string FollowFinalLinks(string path)
    {
        for (int followed = 0; ; followed++)
        {
            string? target = PathLookup.ReadLink(path, out int errno);
            if (target is null)
            {
                if (errno != Errno.EINVAL) RequireMissing(path, errno);
                return path;
            }
            if (followed == PathLookup.MaxSymlinks) throw CannotExplain(path, Errno.ELOOP);
            // A relative target is relative to the link's directory, spelled as the path reached it.
            path = Path.TrimEndingDirectorySeparator(target.StartsWith('/') ? target : Path.Join(Path.GetDirectoryName(path), target));
        }
    }

    /// <summary>The walk from <paramref name="directory"/>, or from its nearest existing ancestor when it does not exist.</summary>
    private static InodeWalk NearestDirectory(string directory, List<string> notes)
    {
        for (string? candidate = directory; candidate is not null; candidate = Path.GetDirectoryName(candidate))
        {
            string? real = PathLookup.RealPath(candidate, out int errno);
            if (real is not null && PathLookup.TryStat(real, out LibC.StatxBuffer status, out errno) && status.IsDirectory)
            {
                if (candidate != directory)
                {
                    notes.Add($"'{directory}' does not exist: it is judged on its nearest existing ancestor, '{real}'.");
                }
                return InodeWalk.Up(real);
            }
            RequireMissing(candidate, errno);
        }
        return InodeWalk.Up("/");
    }

    private static void RequireMissing(string path, int errno)
    {
        if (errno is not (0 or Errno.ENOENT or Errno.ENOTDIR)) throw CannotExplain(path, errno);
    }

    private static LandlockException CannotExplain(string path, int errno) =>
        new($"'{path}' cannot be explained: {PathLookup.Failure(errno)}. A process trying it fails the same way, before Landlock is asked.",
            "realpath", errno, "PathNotAccessible");

    private static LandlockPathType TypeOf(in LibC.StatxBuffer status) =>
        status.IsDirectory ? LandlockPathType.Directory
        : status.IsRegularFile ? LandlockPathType.File
        : status.IsDevice ? LandlockPathType.Device
        : status.IsSocket ? LandlockPathType.Socket
        : LandlockPathType.Other;
}
