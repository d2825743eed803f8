using System.IO;
using System.Linq;
using LandlockPS.Core.Landlock;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>Facts about the running process and kernel the tests compare against.</summary>
internal static class KernelFacts
{
    internal static LandlockSupport Support { get; } = LandlockSupport.Query(null);

    /// <summary>What a descriptor of this process points to ("anon_inode:[landlock-ruleset]").</summary>
    internal static string? FdTarget(int fd)
    {
        var info = new FileInfo($"/proc/self/fd/{fd}");
        return info.Exists || info.LinkTarget is not null ? info.LinkTarget : null;
    }

    internal static int OpenFdCount() => Directory.GetFileSystemEntries("/proc/self/fd").Length;

    /// <summary>No thread of this process carries NoNewPrivs, i.e. nothing here confined the test host.</summary>
    internal static bool NoThreadIsRestricted() =>
        Directory.GetDirectories("/proc/self/task")
            .Select(t => Path.Combine(t, "status"))
            .Where(File.Exists)
            .All(s => !File.ReadLines(s).Any(l => l.StartsWith("NoNewPrivs:") && l.Trim().EndsWith('1')));
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
