using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace LandlockPS.Core.Native;

/// <summary>
/// The mounts this process sees (/proc/self/mountinfo), for the other paths a file or folder has
/// through them: a folder mounted again elsewhere (mount --bind) is the same folder under a second
/// path, as a hard link is the same file under a second name, and a rule on a folder above that
/// path reaches it there.
/// </summary>
internal sealed class MountTable
{
    private readonly List<(string Device, string Root, string MountPoint)> _mounts;

    private MountTable(List<(string, string, string)> mounts) => _mounts = mounts;

    /// <summary>This process's mounts; none when /proc cannot be read (then no other path is known).</summary>
    public static MountTable Read()
    {
        try
        {
            return Parse(File.ReadLines("/proc/self/mountinfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new([]);
        }
    }

    /// <summary>Mounts from mountinfo lines: id parent major:minor root mount-point options... (malformed lines are skipped).</summary>
    internal static MountTable Parse(IEnumerable<string> lines) => new(lines
        .Select(line => line.Split(' '))
        .Where(fields => fields.Length > 4 && fields[3].StartsWith('/') && fields[4].StartsWith('/'))
        .Select(fields => (fields[2], Unescape(fields[3]).TrimEnd('/') is { Length: > 0 } root ? root : "/", Unescape(fields[4]).TrimEnd('/') is { Length: > 0 } at ? at : "/"))
        .ToList());

    /// <summary>mountinfo writes space, tab, newline and backslash as three octal digits.</summary>
    internal static string Unescape(string field) =>
        Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());

    /// <summary>
    /// The paths other than <paramref name="path"/> (absolute, without links) that lead to the same
    /// file or folder through another mount of its file system. One hidden under a later mount is
    /// listed too: a path too many only makes a judgement stricter.
    /// </summary>
    public IEnumerable<string> OtherPaths(string path)
    {
        // The mount the path lies in: at the longest mount point above it, the last (topmost) there.
        int own = -1;
        for (int i = 0; i < _mounts.Count; i++)
        {
            if (Beneath(path, _mounts[i].MountPoint) && (own < 0 || _mounts[i].MountPoint.Length >= _mounts[own].MountPoint.Length)) own = i;
        }
        if (own < 0) yield break;
        string inFileSystem = Join(_mounts[own].Root, Rest(path, _mounts[own].MountPoint));
        for (int i = 0; i < _mounts.Count; i++)
        {
            (string device, string root, string mountPoint) = _mounts[i];
            if (i == own || device != _mounts[own].Device || !Beneath(inFileSystem, root)) continue;
            string other = Join(mountPoint, Rest(inFileSystem, root));
            if (other != path) yield return other;
        }
    }

    private static bool Beneath(string path, string folder) =>
        folder == "/" || path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    // What follows `folder` in `path` beneath it: empty, or starting with a slash.
    private static string Rest(string path, string folder) => folder == "/" ? path.TrimEnd('/') : path[folder.Length..];

    private static string Join(string folder, string rest) => folder == "/" ? (rest.Length == 0 ? "/" : rest) : folder + rest;
}
