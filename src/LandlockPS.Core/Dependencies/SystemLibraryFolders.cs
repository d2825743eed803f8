using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Dependencies;

/// <summary>
/// The folders the system's dynamic loader takes libraries from — its built-in ones and those its
/// cache (/etc/ld.so.cache) names, when only root can have written the cache — that only root can
/// change. Granting read on such a folder shows a sandbox nothing but system libraries; any other
/// folder may hold more than libraries.
/// </summary>
public static class SystemLibraryFolders
{
    private static readonly Lazy<HashSet<string>> Folders = new(Find);

    /// <summary>Whether <paramref name="folder"/> (a real path, as /proc/self/maps gives it) is one of them.</summary>
    public static bool Contains(string folder) => Folders.Value.Contains(folder);

    private static HashSet<string> Find()
    {
        IEnumerable<string> builtIn = BuiltIn();
        IEnumerable<string> cached = WrittenByRootAlone(LdSoCache.DefaultPath)
            ? LdSoCache.Load().Paths.Select(Path.GetDirectoryName).OfType<string>()
            : [];
        return builtIn.Concat(cached)
            .Select(folder => PathLookup.RealPath(folder, out _) ?? folder)
            .Distinct(StringComparer.Ordinal)
            .Where(FileOwner.IsRootOnlyFolder)
            .ToHashSet(StringComparer.Ordinal);
    }

    // A cache a sandbox could have written may name any folder, a private one the caller loaded a
    // library from too: it counts only when it is root's, writable by no one else, with one name (a
    // second hard link may be written through wherever it lies), and every path to it (a second
    // mount gives another) lies in folders only root may change.
    private static bool WrittenByRootAlone(string cache)
    {
        string real = PathLookup.RealPath(cache, out _) ?? cache;
        return FileOwner.Of(real, out _) == 0 && FileOwner.IsPrivateFile(real, out uint names) && names == 1
            && MountTable.Read().OtherPaths(real).Prepend(real).All(path => Path.GetDirectoryName(path) is { } folder && FileOwner.IsRootOnlyFolder(folder));
    }

    // The loader's own directories for this process's architecture (multiarch first, as Debian has them).
    private static IEnumerable<string> BuiltIn()
    {
        string? triplet = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x86_64-linux-gnu",
            Architecture.Arm64 => "aarch64-linux-gnu",
            _ => null,
        };
        if (triplet is not null)
        {
            yield return "/lib/" + triplet;
            yield return "/usr/lib/" + triplet;
        }
        foreach (string folder in new[] { "/lib64", "/usr/lib64", "/lib", "/usr/lib" }) yield return folder;
    }
}
