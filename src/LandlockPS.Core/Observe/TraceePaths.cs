using System;
using System.Collections.Generic;
using System.IO;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Observe;

/// <summary>
/// Makes a path argument absolute as the kernel does for the thread that passed it: against its
/// working directory, or against the directory its descriptor names, both read from /proc while the
/// call is stopped. What the path finally names once symbolic links are followed is looked up
/// separately, only for accesses seen for the first time.
/// </summary>
internal static class TraceePaths
{
    /// <summary>AT_FDCWD, as a call's int argument holds it.</summary>
    internal const int AtFdCwd = -100;

    /// <summary>
    /// <paramref name="path"/> made absolute for thread <paramref name="tid"/>: relative to
    /// <paramref name="dirfd"/> (AT_FDCWD: the working directory); an empty path names the descriptor
    /// itself (AT_EMPTY_PATH). Null when the base cannot be read or is not a directory path (a pipe, a
    /// socket, a deleted directory).
    /// </summary>
    internal static string? Absolute(int tid, int dirfd, string path)
    {
        if (path.StartsWith('/')) return Normalize(path);
        string? directory = PathLookup.ReadLink(dirfd == AtFdCwd ? $"/proc/{tid}/cwd" : $"/proc/{tid}/fd/{dirfd}", out _);
        if (directory is null || !directory.StartsWith('/') || directory.EndsWith(" (deleted)", StringComparison.Ordinal)) return null;
        return Normalize(path.Length == 0 ? directory : $"{directory}/{path}");
    }

    /// <summary>
    /// What <paramref name="path"/> names once symbolic links are followed (all of them, or all but a
    /// final one the call acts on itself); null when that is the path itself or cannot be told. Paths
    /// under /proc are left alone: /proc/self there would name the observer.
    /// </summary>
    internal static string? LinkTarget(string path, bool followFinal)
    {
        if (path == "/proc" || path.StartsWith("/proc/", StringComparison.Ordinal)) return null;
        string? real = followFinal ? PathLookup.RealPath(path, out _) : null;
        if (real is null && Path.GetDirectoryName(path) is { } parent && PathLookup.RealPath(parent, out _) is { } realParent)
        {
            real = Path.Join(realParent, Path.GetFileName(path));
        }
        return real is null || real == path ? null : real;
    }

    /// <summary>The directory that holds <paramref name="path"/>'s entry: where creating or removing it is judged.</summary>
    internal static string Parent(string path) => Path.GetDirectoryName(path) ?? "/";

    // "." and empty names dropped and ".." taken lexically, so one place has one spelling; where a
    // symbolic link makes ".." land elsewhere, LinkTarget says where the kernel really went.
    internal static string Normalize(string path)
    {
        var names = new List<string>();
        foreach (string name in path.Split('/'))
        {
            if (name.Length == 0 || name == ".") continue;
            if (name == "..")
            {
                if (names.Count > 0) names.RemoveAt(names.Count - 1);
                continue;
            }
            names.Add(name);
        }
        return "/" + string.Join('/', names);
    }
}
