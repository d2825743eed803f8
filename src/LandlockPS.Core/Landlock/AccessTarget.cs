using System.Collections.Generic;
using System.IO;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// The path being explained, as the kernel will meet it: what it leads to, the walk for rights on the
/// object itself (<see cref="Object"/>) and the walk for rights on its entry (<see cref="Entry"/>:
/// creating or removing it is checked on the directory that holds it).
/// </summary>
internal sealed record AccessTarget(
    string FullPath,
    string RealPath,
    LandlockPathType Type,
    InodeWalk Object,
    InodeWalk Entry,
    IReadOnlyList<string> Notes)
{
    /// <summary>Looks <paramref name="fullPath"/> (absolute) up now.</summary>
    internal static AccessTarget Inspect(string fullPath)
    {
        var notes = new List<string>();
        string path = Path.TrimEndingDirectorySeparator(fullPath);
        string name = Path.GetFileName(path);
        // The final component is not followed for entry rights: removing a symlink removes the link.
        InodeWalk entry = NearestDirectory(Path.GetDirectoryName(path) ?? path, notes);

        string? real = PathLookup.RealPath(path, out int errno);
        if (real is null || !PathLookup.TryStat(real, out LibC.StatxBuffer status, out errno))
        {
            RequireMissing(path, errno);
            notes.Add($"'{path}' does not exist: it is judged as a new entry of '{entry.RealPath}', which only rules on that directory and above can cover.");
            return new AccessTarget(path, Path.Join(entry.RealPath, name), LandlockPathType.Missing, entry, entry, notes);
        }
        if (real != path)
        {
            notes.Add($"'{path}' leads to '{real}' through symbolic links: Landlock checks the object at '{real}', " +
                $"and creating or removing the entry on '{entry.RealPath}'.");
        }
        return new AccessTarget(path, real, TypeOf(status), InodeWalk.Up(real), entry, notes);
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
        if (errno is not (0 or Errno.ENOENT or Errno.ENOTDIR))
        {
            throw new LandlockException($"'{path}' cannot be looked up by this session ({Errno.Name(errno)}), so its access cannot be explained. " +
                "Check the permissions of its parent directories.", "realpath", errno, "PathNotAccessible");
        }
    }

    private static LandlockPathType TypeOf(in LibC.StatxBuffer status) =>
        status.IsDirectory ? LandlockPathType.Directory
        : status.IsRegularFile ? LandlockPathType.File
        : status.IsDevice ? LandlockPathType.Device
        : status.IsSocket ? LandlockPathType.Socket
        : LandlockPathType.Other;
}
