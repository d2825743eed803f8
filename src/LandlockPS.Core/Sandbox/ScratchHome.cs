using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// The private, writable folders sandboxed children get as their home. Each is named after the
/// process that made it, so that homes a crashed or killed process left behind can be recognised
/// and removed by the next one; homes still in use when this process exits are removed then.
/// </summary>
public static class ScratchHome
{
    private const string Prefix = "landlockps-home-";
    // Each live home, and the child that uses it once one is started.
    private static readonly Dictionary<string, SandboxedProcess?> Live = new(StringComparer.Ordinal);
    private static bool _initialized;

    /// <summary>Makes a new home, readable and writable by this user alone.</summary>
    public static string Create()
    {
        lock (Live)
        {
            if (!_initialized)
            {
                _initialized = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();
                RemoveAbandoned();
            }
            string home = Directory.CreateTempSubdirectory($"{Prefix}{Environment.ProcessId}-").FullName;
            Live.Add(home, null);
            return home;
        }
    }

    /// <summary>Names the child using <paramref name="home"/>: it is killed before its home is removed at exit.</summary>
    public static void Attach(string home, SandboxedProcess child)
    {
        lock (Live)
        {
            if (Live.ContainsKey(home)) Live[home] = child;
        }
    }

    /// <summary>Removes a home; what cannot be removed now (a file a child still holds) is left to the next sweep.</summary>
    public static void Delete(string home)
    {
        lock (Live) Live.Remove(home);
        TryDelete(home);
    }

    private static void DeleteAll()
    {
        KeyValuePair<string, SandboxedProcess?>[] homes;
        lock (Live)
        {
            homes = [.. Live];
            Live.Clear();
        }
        // A child still running would write its home again on its way out (pwsh saves its JIT
        // profile when its input closes): end it first.
        var killed = new List<int>();
        foreach ((_, SandboxedProcess? child) in homes)
        {
            try
            {
                // A reaped child's pid may already be another process's: nothing to wait for.
                if (child is null || child.HasExited) continue;
                child.Kill();
                killed.Add(child.ProcessId);
            }
            catch (ObjectDisposedException)
            {
                // Ended and released meanwhile.
            }
        }
        // A kill lands a moment later, and later still on a loaded machine: a write under way
        // finishes first. Once every thread is gone (a zombie, or no process) nothing more is written.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (killed.Any(IsRunning) && clock.ElapsedMilliseconds < 5000) System.Threading.Thread.Sleep(10);
        for (int attempt = 0; attempt < 5 && homes.Any(h => Directory.Exists(h.Key)); attempt++)
        {
            if (attempt > 0) System.Threading.Thread.Sleep(20);
            foreach ((string home, _) in homes) TryDelete(home);
        }
    }

    // Running: the process exists and is not a zombie (state after the command name in /proc/<pid>/stat).
    private static bool IsRunning(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int end = stat.LastIndexOf(')');
            return end >= 0 && end + 2 < stat.Length && stat[end + 2] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Only folders this user owns (a recursive delete of someone else's folder, as root, could be
    // raced into following links) whose maker is gone.
    private static void RemoveAbandoned()
    {
        try
        {
            uint me = ProcessApi.GetEuid();
            foreach (string folder in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
            {
                if (MakerPid(folder) is { } pid && !Directory.Exists($"/proc/{pid}") && OwnerOf(folder) == me) TryDelete(folder);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A sweep only tidies; a temp folder it cannot list is not this launch's problem.
        }
    }

    private static int? MakerPid(string folder)
    {
        string name = Path.GetFileName(folder);
        int end = name.IndexOf('-', Prefix.Length);
        return end > Prefix.Length && int.TryParse(name.AsSpan(Prefix.Length, end - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            ? pid
            : null;
    }

    private static uint? OwnerOf(string folder) => FileOwner.Of(folder, out bool isDirectory) is { } owner && isDirectory ? owner : null;

    // Not Directory.Delete: sandboxed code may still be writing here (a process that left the
    // child's process group), and a path-based delete can be raced into following a link.
    private static void TryDelete(string home) => TreeRemover.Remove(home);
}
