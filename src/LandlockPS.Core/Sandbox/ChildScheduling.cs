using System;
using System.IO;
using System.Linq;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// Whether the scheduler weighs a child LandlockPS starts apart from its caller. Every child
/// leads a session of its own (it must not share the caller's terminal), and with autogroups on, a
/// session is a scheduling group of its own, unless its tasks are in a cpu cgroup other than the
/// root (a container's, a systemd unit's with CPU weights): the kernel applies autogroups only to
/// the root's tasks. A run's own cgroup can add a group too, where the caller's cgroup hands the cpu
/// controller down.
/// <para>
/// Apart, a child that spins while it waits (as .NET's idle pool threads do) takes its share of
/// the CPU from the caller; together, spinning answers sooner, as it does for PowerShell's own
/// out-of-process sessions. Where the answer cannot be read, the child counts as apart.
/// </para>
/// </summary>
public static class ChildScheduling
{
    /// <summary>True unless a child is provably scheduled together with its caller.</summary>
    public static bool IsApartFromCaller()
    {
        ControlGroupHierarchy? unified = ControlGroupHierarchy.Current;
        return IsApart(ReadSetting, unified is null ? null : (unified.MountPoint, unified.Path, unified.Cgroup));
    }

    /// <summary>
    /// The judgement, on files read through <paramref name="read"/> (trimmed; null when missing, and
    /// throwing when unreadable); <paramref name="unified"/> is where runs get their cgroups: the
    /// caller's cgroup v2 as it was found, if anywhere.
    /// </summary>
    internal static bool IsApart(Func<string, string?> read, (string MountPoint, string Path, string Cgroup)? unified)
    {
        try
        {
            return Judge(read, unified);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static bool Judge(Func<string, string?> read, (string MountPoint, string Path, string Cgroup)? unified)
    {
        if (unified is { } own && Lists(read(Path.Combine(own.Path, "cgroup.subtree_control")), "cpu")) return true;
        // A BPF scheduler groups tasks as it likes.
        if (read("/sys/kernel/sched_ext/state") is { } extension && extension != "disabled") return true;
        string? autogroups = read("/proc/sys/kernel/sched_autogroup_enabled");
        // A kernel without autogroups has no such setting, where /proc/sys is there to have it. (Turned
        // off after the caller started, they still hold the caller in its own, so its children are
        // apart yet counted together: the caller's shell takes the setting when it is started again.)
        bool withoutAutogroups = autogroups == "0" || (autogroups is null && read("/proc/sys/kernel/ostype") is not null);
        return !withoutAutogroups && !InCpuGroupBelowRoot(read, unified);
    }

    private static bool InCpuGroupBelowRoot(Func<string, string?> read, (string MountPoint, string Path, string Cgroup)? unified)
    {
        if (read("/proc/self/cgroup") is not { } memberships) return false;
        string? current = null;
        foreach (string line in memberships.Split('\n'))
        {
            // hierarchy-id:controllers:path; the cpu controller on a cgroup v1 hierarchy of its own.
            // A path that climbs out of the cgroup namespace (/..) says nothing of where the root is.
            string[] fields = line.Split(':', 3);
            if (fields.Length != 3) continue;
            if (fields[0] == "0") current = fields[2];
            else if (fields[1].Split(',').Contains("cpu")) return fields[2] != "/" && !fields[2].Split('/').Contains("..");
        }
        // Runs get cgroups where the caller was when that was found: moved since, it is unknown.
        if (unified is not { } own || current != own.Cgroup) return false;
        // On cgroup v2, a task's cpu group is the nearest cgroup its parent hands the controller to.
        // The root has no cgroup.type; a cgroup namespace's root (a container's) has, and counts.
        for (string? folder = own.Path; folder is not null && read(Path.Combine(folder, "cgroup.type")) is not null; folder = Path.GetDirectoryName(folder))
        {
            if (Lists(read(Path.Combine(folder, "cgroup.controllers")), "cpu")) return true;
            if (folder.TrimEnd('/') == own.MountPoint.TrimEnd('/')) break;
        }
        return false;
    }

    private static bool Lists(string? words, string word) =>
        words is not null && words.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(word);

    // Missing is an answer (null); unreadable is not, and throws.
    private static string? ReadSetting(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
