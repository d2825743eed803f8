using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// The cgroup v2 directory of this process's own cgroup, where every run gets a child cgroup. It
/// is found from /proc/self/cgroup and /proc/self/mountinfo (the unified hierarchy may be mounted
/// anywhere: /sys/fs/cgroup, /sys/fs/cgroup/unified). Children are only ever created below this
/// process's own cgroup, which holds processes and so hands its children no domain controller: the
/// "no internal processes" rule is never in the way (threaded ones, such as cpu, it may hand down).
/// Names carry the maker's pid namespace, pid and start time, so the cgroups of a LandlockPS that
/// died without cleaning up are found and emptied by the next.
/// </summary>
internal sealed class ControlGroupHierarchy
{
    /// <summary>Test-only: when set to 1, runs are held by their process group (lets tests and benchmarks compare).</summary>
    internal const string NoControlGroupVariable = "LANDLOCKPS_TEST_NO_CGROUP";

    private const string Prefix = "landlockps-";

    private static readonly Lazy<(ControlGroupHierarchy? Found, string Reason)> Discovered = new(Discover);
    // Set once making a run's cgroup failed for a reason that will not go away by itself.
    private static string? _unusable;

    private readonly SafeDirectoryHandle _directory;
    private readonly string _namePrefix;
    private long _sequence;
    // The next run's cgroup, made while the previous run's child runs: mkdir and three opens less
    // before a child can start.
    private ControlGroupTree? _spare;

    // The end of this process ends every tree, the spare too (its cgroup removed): one it outlives
    // (a signal whose default was cancelled) must not hand that spare to its next run, whose child
    // could not be moved in.
    static ControlGroupHierarchy() => CallerExit.Register(() => (Current is { } hierarchy ? Interlocked.Exchange(ref hierarchy._spare, null) : null)?.Dispose());

    private ControlGroupHierarchy(string cgroup, string mountPoint, string path, SafeDirectoryHandle directory, string namePrefix)
    {
        Cgroup = cgroup;
        MountPoint = mountPoint;
        Path = path;
        _directory = directory;
        _namePrefix = namePrefix;
    }

    /// <summary>This process's cgroup as /proc/self/cgroup named it when it was found.</summary>
    internal string Cgroup { get; }

    /// <summary>Where the unified hierarchy that holds this process's cgroup is mounted.</summary>
    internal string MountPoint { get; }

    /// <summary>The directory of this process's cgroup.</summary>
    internal string Path { get; }

    /// <summary>This process's hierarchy, once found; null where there is none.</summary>
    internal static ControlGroupHierarchy? Current => Discovered.Value.Found;

    /// <summary>The tree for a new run: a cgroup of its own where one can be made, else the child's process group, saying why.</summary>
    internal static ProcessTree ForNewRun()
    {
        if (Environment.GetEnvironmentVariable(NoControlGroupVariable) == "1") return new ProcessGroupTree($"the test setting {NoControlGroupVariable} is on");
        if (!SeccompSupport.NotificationsAvailable)
        {
            return new ProcessGroupTree("seccomp user notifications are unavailable here, so a child cannot be placed in a cgroup before it runs");
        }
        (ControlGroupHierarchy? hierarchy, string reason) = Discovered.Value;
        if (hierarchy is null) return new ProcessGroupTree(reason);
        if (Volatile.Read(ref _unusable) is { } why) return new ProcessGroupTree(why);
        return (ProcessTree?)Interlocked.Exchange(ref hierarchy._spare, null) ?? hierarchy.TryCreate();
    }

    /// <summary>Makes the next run's cgroup ahead, if runs get cgroups here and none is waiting. Only saves time.</summary>
    internal static void PrepareNext()
    {
        if (Current is not { } hierarchy || Volatile.Read(ref hierarchy._spare) is not null || Volatile.Read(ref _unusable) is not null) return;
        ProcessTree made = hierarchy.TryCreate();
        if (made is not ControlGroupTree spare || Interlocked.CompareExchange(ref hierarchy._spare, spare, null) is not null) made.Dispose();
    }

    /// <summary>What holds the runs this process starts, for Get-LandlockAbi: "ControlGroup: ..." or "ProcessGroup: why".</summary>
    internal static string Describe()
    {
        using ProcessTree probe = ForNewRun();
        return probe.Mechanism == ContainmentMechanism.ControlGroup
            ? $"ControlGroup: each run gets a cgroup of its own below {Discovered.Value.Found!.Path}"
            : $"ProcessGroup: {probe.Description}.";
    }

    /// <summary>Records that a child could not be moved into its cgroup: later runs use the process group straight away.</summary>
    internal static void MarkUnusable(string reason) => Volatile.Write(ref _unusable, reason);

    /// <summary>Removes a run's cgroup, and any the sandbox made below it.</summary>
    internal void Remove(string name)
    {
        if (_directory.TryRemoveChild(name) || Marshal.GetLastPInvokeError() != Errno.EBUSY) return;
        try
        {
            using SafeDirectoryHandle folder = _directory.OpenChild(name);
            TreeRemover.Remove(_directory, name, folder);
        }
        catch (LandlockException)
        {
            // Gone meanwhile.
        }
    }

    // A failure that will not go away (no write access, no cgroup.kill) makes every later run use
    // the process group at once; one that may (a descendant limit, no descriptor left) only this run.
    private ProcessTree TryCreate()
    {
        string name = _namePrefix + Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
        SafeDirectoryHandle folder;
        try
        {
            folder = _directory.CreateChild(name, 0x1ed /* 0755 */);
        }
        catch (LandlockException e)
        {
            int errno = e.Errno;
            string? lastingReason = errno switch
            {
                Errno.EACCES or Errno.EPERM or Errno.EROFS => $"this process's cgroup {Path} is not writable by this user ({Errno.Name(errno)}); " +
                    "run pwsh in a delegated cgroup (systemd-run --user --scope -p Delegate=yes pwsh) or as root",
                Errno.ENOENT => $"this process's cgroup {Path} has been removed, or this process moved to another",
                _ => null,
            };
            if (lastingReason is not null) MarkUnusable(lastingReason);
            return new ProcessGroupTree(lastingReason ?? $"a cgroup could not be made in {Path} ({Errno.Name(errno)})");
        }
        ControlGroupTree? tree;
        string? failure;
        bool lasting;
        using (folder) tree = Open(folder, name, out failure, out lasting);
        if (tree is not null) return tree;
        Remove(name);
        if (lasting) MarkUnusable(failure!);
        return new ProcessGroupTree(failure!);
    }

    // The files a run's tree is used through, opened once: moving the child in, killing, watching.
    private ControlGroupTree? Open(SafeDirectoryHandle folder, string name, out string? failure, out bool lasting)
    {
        SafeDescriptorHandle? procs = folder.TryOpenFile("cgroup.procs", SafeDirectoryHandle.O_WRONLY);
        SafeDescriptorHandle? events = folder.TryOpenFile("cgroup.events", LibC.O_RDONLY);
        SafeDescriptorHandle? kill = folder.TryOpenFile("cgroup.kill", SafeDirectoryHandle.O_WRONLY);
        lasting = kill is null && Marshal.GetLastPInvokeError() == Errno.ENOENT;
        failure = lasting ? "the kernel has no cgroup.kill (Linux 5.14 brought it)"
            : procs is null || events is null || kill is null ? $"the new cgroup {Path}/{name} could not be opened"
            : null;
        if (failure is null) return new ControlGroupTree(this, name, procs!, kill!, events!);
        procs?.Dispose();
        kill?.Dispose();
        events?.Dispose();
        return null;
    }

    private static (ControlGroupHierarchy?, string) Discover()
    {
        try
        {
            string? own = File.ReadLines("/proc/self/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
            if (own is null) return (null, "this process is in no cgroup v2 hierarchy (only cgroup v1 is in use)");
            if (Open(own) is not var (mountPoint, path, directory))
            {
                return (null, $"no cgroup v2 mount shows this process's cgroup {own}, or the folder it shows does not hold this process");
            }
            SafeDirectoryHandle? owned = directory;
            try
            {
                // The root cgroup has no cgroup.type; a threaded one cannot hold a process of its own.
                using (SafeDescriptorHandle? type = directory.TryOpenFile("cgroup.type", LibC.O_RDONLY | LibC.O_NONBLOCK))
                {
                    if (type is not null && type.ReadSmall(64)?.Trim() != "domain") return (null, $"this process's cgroup {path} is not a domain cgroup");
                }
                // Without its start time, a name would read as abandoned to every other LandlockPS's sweep.
                if (ProcessStat.OwnStartTime() is not { } started) return (null, "this process's start time cannot be read from /proc/self/stat, which names its runs' cgroups");
                var hierarchy = new ControlGroupHierarchy(own, mountPoint, path, directory, $"{Prefix}{PidNamespace()}-{Environment.ProcessId}-{started}-");
                owned = null;
                hierarchy.SweepAbandoned();
                return (hierarchy, string.Empty);
            }
            finally
            {
                owned?.Dispose();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LandlockException)
        {
            return (null, $"this process's cgroup could not be found or opened ({e.Message})");
        }
    }

    // The folder of this process's cgroup, opened: the first that a cgroup2 line of mountinfo leads
    // to and that proves to be it. A path is only a claim: a mount can hide another (whose lines come
    // first), and a folder can be moved or swapped meanwhile. So the folder opened must be on the very
    // mount the line names, and list this process in its cgroup.procs.
    private static (string MountPoint, string Path, SafeDirectoryHandle Directory)? Open(string cgroup)
    {
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            if (MountedAt(line, cgroup) is not var (mountPoint, path, mountId)) continue;
            SafeDirectoryHandle directory;
            try
            {
                directory = SafeDirectoryHandle.Open(path);
            }
            catch (LandlockException)
            {
                continue;
            }
            if (OnMount(directory, mountId) && Holds(directory, Environment.ProcessId)) return (mountPoint, path, directory);
            directory.Dispose();
        }
        return null;
    }

    private static unsafe bool OnMount(SafeDirectoryHandle directory, ulong mountId)
    {
        LibC.StatxBuffer status = default;
        return LibC.Statx(directory.Fd, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_MNT_ID, &status) == 0
            && (status.Mask & LibC.STATX_MNT_ID) != 0 && status.MountId == mountId;
    }

    // Whether the cgroup.procs in this folder lists the process.
    private static bool Holds(SafeDirectoryHandle directory, int pid)
    {
        using SafeDescriptorHandle? procs = directory.TryOpenFile("cgroup.procs", LibC.O_RDONLY);
        if (procs is null) return false;
        using var reader = new StreamReader(new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(procs.Fd, ownsHandle: false), FileAccess.Read, 1));
        string own = pid.ToString(CultureInfo.InvariantCulture);
        while (reader.ReadLine() is { } listed)
        {
            if (listed == own) return true;
        }
        return false;
    }

    /// <summary>
    /// A cgroup2 line of mountinfo whose root is an ancestor of (or is) the process's cgroup: the mount
    /// point, and the directory of that cgroup under it. Fields: id parent dev root mountpoint ... - fstype source options.
    /// Both paths are relative to the process's cgroup namespace: one outside it starts with /.., and so
    /// does the root of a mount made outside it. Never a directory that climbs out of the mount. With
    /// the mount's id, to check the folder against.
    /// </summary>
    internal static (string MountPoint, string Path, ulong MountId)? MountedAt(string line, string cgroup)
    {
        string[] fields = line.Split(' ');
        int separator = Array.IndexOf(fields, "-");
        if (separator < 5 || separator + 1 >= fields.Length || fields[separator + 1] != "cgroup2") return null;
        if (!cgroup.StartsWith('/') || !ulong.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong mountId)) return null;
        string root = MountTable.Unescape(fields[3]).TrimEnd('/');
        if (root.Length > 0 && cgroup != root && !cgroup.StartsWith(root + "/", StringComparison.Ordinal)) return null;
        string mountPoint = MountTable.Unescape(fields[4]).TrimEnd('/');
        string below = cgroup[root.Length..].TrimEnd('/');
        if (below.Split('/').Contains("..")) return null;
        string path = mountPoint + below;
        return (mountPoint.Length == 0 ? "/" : mountPoint, path.Length == 0 ? "/" : path, mountId);
    }

    /// <summary>
    /// Where runs get their cgroups, when a child confined by <paramref name="ruleset"/> may write a
    /// file there: it could write its pid into another cgroup's cgroup.procs and leave its run's (the
    /// kernel asks only that its user may write that file). So when a rule grants WriteFile on the
    /// mount, on a folder above it, or on anything on that file system, or WriteFile is not handled.
    /// Null when it may not, or runs get no cgroup here.
    /// </summary>
    internal static string? WritableBy(LandlockRuleset ruleset)
    {
        if (Current is not { } hierarchy || Volatile.Read(ref _unusable) is not null) return null;
        if (new RuleReach(ruleset, LandlockAccessFs.WriteFile).Reach(hierarchy.MountPoint)) return hierarchy.MountPoint;
        // Rules within it, however their paths reach it: by the file system they name.
        if (PathHandles.TryStatus(hierarchy.MountPoint) is not { } mount) return null;
        bool within = ruleset.PathRules.Any(rule => (rule.Access & LandlockAccessFs.WriteFile) != 0
            && PathHandles.TryStatus(rule.Path) is { } target && (target.DevMajor, target.DevMinor) == (mount.DevMajor, mount.DevMinor));
        return within ? hierarchy.MountPoint : null;
    }

    // "pid:[4026531836]": the namespace's inode number.
    internal static string PidNamespace() =>
        new FileInfo("/proc/self/ns/pid").LinkTarget is { } target ? new string(target.Where(char.IsAsciiDigit).ToArray()) : "0";

    // Runs of a LandlockPS in this pid namespace that died without ending them: kill what is left
    // and remove them. "Died": its pid is gone, or belongs to a process started at another time.
    // Where /proc cannot tell start times, a live pid counts as the maker: a leak, never a wrong kill.
    internal void SweepAbandoned()
    {
        string ours = $"{Prefix}{PidNamespace()}-";
        string[] names;
        try
        {
            // Listed through the folder held open, which is the one proved to be this process's cgroup.
            names = [.. Directory.EnumerateDirectories($"/proc/self/fd/{_directory.Fd}", ours + "*").Select(System.IO.Path.GetFileName).OfType<string>()];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // a sweep only tidies: a folder it cannot list (no /proc of this process) leaves runs their cgroups
        }
        foreach (string name in names)
        {
            string[] parts = name[ours.Length..].Split('-');
            if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (ProcessApi.Exists(pid) && ProcessStat.StartTime(pid) is var started && (started is null || started == parts[1])) continue;
            try
            {
                using SafeDirectoryHandle folder = _directory.OpenChild(name);
                using ControlGroupTree? abandoned = Open(folder, name, out _, out _);
            }
            catch (LandlockException)
            {
                // Removed meanwhile, or not a cgroup we can use: nothing to sweep.
            }
        }
    }
}
