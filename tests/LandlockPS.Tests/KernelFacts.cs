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

    /// <summary>Running: the process exists and is not a zombie (this machine's init may be slow to reap orphans).</summary>
    internal static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    internal static int OpenFdCount() => Directory.GetFileSystemEntries("/proc/self/fd").Length;

    /// <summary>
    /// No thread of this process carries NoNewPrivs or a seccomp filter, and no seccomp listener is
    /// open: nothing here confined the test host. (A thread that ends while being read is skipped.)
    /// </summary>
    internal static bool NoThreadIsRestricted() =>
        Directory.GetDirectories("/proc/self/task")
            .Select(t => Path.Combine(t, "status"))
            .Select(ReadOrEmpty)
            .All(status => !status.Any(l => l.StartsWith("NoNewPrivs:") && l.Trim().EndsWith('1') || l.StartsWith("Seccomp:") && !l.Trim().EndsWith('0')))
        && Directory.GetFileSystemEntries("/proc/self/fd").All(fd => FdTarget(int.Parse(Path.GetFileName(fd))) != "anon_inode:seccomp notify");

    private static string[] ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return [];
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
