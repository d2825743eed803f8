using System;
using System.IO;

namespace LandlockPS.Core.Native;

/// <summary>
/// What /proc/&lt;pid&gt;/stat says of a process, read after the command name (which may hold spaces
/// and parentheses, so it is skipped up to its last ')'): the state first, the start time twentieth.
/// <para>
/// A /proc mounted for another PID namespace (one made without a /proc of its own) lists other
/// processes under this namespace's pids: there, a lookup by pid would read some other process,
/// so only this process's own entry (/proc/self, which the kernel resolves for the reader) is used.
/// </para>
/// </summary>
internal static class ProcessStat
{
    private static readonly Lazy<bool> OwnPids = new(ReadsOwnNamespace);

    /// <summary>True when /proc lists the processes of this process's PID namespace under their pids here.</summary>
    internal static bool ProcShowsOwnPids => OwnPids.Value;

    // NSpid in /proc/self/status lists this process's pid in every PID namespace from /proc's own down
    // to this one's: a single pid, this process's, only in a /proc of this namespace. The pid of
    // /proc/self alone may match by chance (the same number in an outer namespace). Kernels before 4.1
    // have no NSpid: there, that pid is all there is to go by.
    private static bool ReadsOwnNamespace()
    {
        string own = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("NSpid:", StringComparison.Ordinal)) return line[6..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries) is [var only] && only == own;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        return Parse("/proc/self/stat", out int pid) is not null && pid == Environment.ProcessId;
    }

    /// <summary>This process's start time (clock ticks after boot): with its pid, it names this process for good.</summary>
    internal static string? OwnStartTime() => StartTime(Parse("/proc/self/stat", out _));

    /// <summary>
    /// The start time of the process with this pid here, as that process itself reads it; null when it
    /// is gone, or /proc cannot tell (another PID namespace's, or the process is in another time namespace).
    /// </summary>
    internal static string? StartTime(int pid) => ProcShowsOwnPids && InOwnTimeNamespace(pid) ? StartTime(Parse($"/proc/{pid}/stat", out _)) : null;

    // /proc shows a start time shifted by the reader's time namespace (its boottime offset): what a
    // process read of itself is comparable only from the same one. Without time namespaces (before
    // Linux 5.6) neither link exists; another user's may be unreadable, and then nothing is told.
    private static bool InOwnTimeNamespace(int pid) =>
        OwnTimeNamespace.Value is (true, var own) && TryTimeNamespace(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), out string? its) && own == its;

    // A process's own time namespace never changes (entering another applies to its children only).
    private static readonly Lazy<(bool Readable, string? Link)> OwnTimeNamespace = new(() => (TryTimeNamespace("self", out string? own), own));

    private static bool TryTimeNamespace(string process, out string? link)
    {
        try
        {
            link = new FileInfo($"/proc/{process}/ns/time").LinkTarget;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            link = null;
            return false;
        }
    }

    private static string? StartTime(string[]? fields) => fields is { Length: > 19 } ? fields[19] : null;

    // The fields after the command name, and the pid before it; null when the file cannot be read.
    private static string[]? Parse(string file, out int pid)
    {
        pid = 0;
        try
        {
            string stat = File.ReadAllText(file);
            int start = stat.IndexOf(' ');
            int end = stat.LastIndexOf(')');
            if (start <= 0 || end < 0 || end + 2 >= stat.Length || !int.TryParse(stat.AsSpan(0, start), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pid)) return null;
            return stat[(end + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
