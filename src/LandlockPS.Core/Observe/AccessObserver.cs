using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Observe;

/// <summary>
/// Records what one traced run does, without deciding anything: every call its filter stops is read,
/// counted and answered SECCOMP_USER_NOTIF_FLAG_CONTINUE, so the kernel (Landlock included) then runs
/// it exactly as it would untraced. The arguments are read while the call waits and the kernel reads
/// them again when it runs: a thread of the program that changes them meanwhile only misleads the
/// record, never the decision, which is not ours. The one exception is a call of a class the run's
/// emulation closes: the filter stops it only so that it is seen, and it is failed as the filter fails
/// it untraced (see <see cref="Sandbox.LaunchFilter"/>).
/// <para>
/// The listener is served by a thread of its own, one call at a time: a program that floods it waits
/// for its answers and slows itself. What is kept is one entry per distinct access, at most
/// <see cref="MaximumAccesses"/>; calls that would add more are counted in <see cref="LostAccesses"/>.
/// </para>
/// Give it to one launch (<see cref="Sandbox.SandboxStartInfo.Observer"/>); it serves until every
/// traced process is gone, or until disposed.
/// </summary>
public sealed class AccessObserver : IDisposable
{
    /// <summary>The distinct accesses kept by default: far more than a program's trial makes, and a bound on what a flood costs.</summary>
    public const int DefaultMaximumAccesses = 50_000;

    private readonly Dictionary<AccessKey, Entry> _accesses = [];
    private readonly List<ObservedAccess> _decoded = [];
    private readonly AccessDecoder _decoder;
    private readonly SafeDescriptorHandle _stop = FileDescriptors.EventFd();
    private Thread? _server;
    private SafeDescriptorHandle? _listener;
    private long _lost;
    private long _calls;
    private int _attached;
    private int _disposed;
    private bool _workStarted;
    private bool _workEnded;

    /// <summary>An observer that keeps at most <paramref name="maximumAccesses"/> distinct accesses.</summary>
    public AccessObserver(int maximumAccesses = DefaultMaximumAccesses)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumAccesses, 1);
        MaximumAccesses = maximumAccesses;
        _decoder = new AccessDecoder(ObservedSyscalls.Current ?? throw Unsupported("this architecture has no table of system calls to observe"));
    }

    /// <summary>The most distinct accesses kept: a flooding program costs no more memory than these.</summary>
    public int MaximumAccesses { get; }

    /// <summary>Calls that would have added a distinct access past <see cref="MaximumAccesses"/>, and so were not recorded.</summary>
    public long LostAccesses => Interlocked.Read(ref _lost);

    /// <summary>Every call the observer answered.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>
    /// True when this kernel and process can observe a run: seccomp user notifications (Linux 5.5 or
    /// newer), and a /proc of this PID namespace, where a stopped call's program, working folder and
    /// descriptors are looked up by its pid.
    /// </summary>
    public static bool IsSupported => SeccompSupport.NotificationsAvailable && ObservedSyscalls.Current is not null && ProcessStat.ProcShowsOwnPids;

    /// <summary>The system calls a traced run stops, by number on this architecture.</summary>
    internal static IEnumerable<int> ObservedNumbers => ObservedSyscalls.Current?.Calls.Keys ?? [];

    /// <summary>Throws when this machine cannot observe a run, saying why.</summary>
    public static void RequireSupport()
    {
        if (!SeccompSupport.NotificationsAvailable) throw Unsupported("seccomp user notifications (Linux 5.5 or newer, and no outer seccomp profile that forbids them) are not available here");
        if (!ProcessStat.ProcShowsOwnPids)
        {
            throw Unsupported("/proc here belongs to another PID namespace, so a traced call's program, folder and descriptors would be read from some other process; mount this namespace's own /proc (unshare --pid --fork --mount-proc)");
        }
    }

    /// <summary>
    /// What was seen so far: one event per operation, path (or port) and rights, with how often, in
    /// the order first seen. Once <see cref="MarkWorkStart"/> was called, an access seen only before
    /// it (or after <see cref="MarkWorkEnd"/>) is marked <see cref="LandlockAccessEvent.Startup"/>, and
    /// one the work made counts the times the work made it.
    /// </summary>
    public IReadOnlyList<LandlockAccessEvent> Events()
    {
        lock (_accesses)
        {
            return _accesses.Values
                .OrderBy(e => e.Order)
                .Select(e => e.Event with { Count = e.WorkCount > 0 ? e.WorkCount : e.Count, Startup = _workStarted && e.WorkCount == 0 })
                .ToArray();
        }
    }

    /// <summary>
    /// Says that the work itself starts now: what ran so far only made ready to run it (a script
    /// block's child pwsh starting up and opening its session). An access seen from now on is the
    /// work's own, even when the start-up made the same one.
    /// </summary>
    public void MarkWorkStart()
    {
        lock (_accesses) _workStarted = true;
    }

    /// <summary>
    /// Says that the work is over: what runs from now on only closes down (a script block's child
    /// pwsh closing its session and exiting, which logs to syslog). An access seen only then counts
    /// as the start-up's does: not the work's.
    /// </summary>
    public void MarkWorkEnd()
    {
        lock (_accesses) _workEnded = true;
    }

    // Between MarkWorkStart and MarkWorkEnd (under the lock).
    private bool InWork => _workStarted && !_workEnded;

    /// <summary>Waits until the listener is done: every traced process is gone (or the observer was disposed). False on timeout.</summary>
    public bool WaitForEnd(int millisecondsTimeout) => _server?.Join(millisecondsTimeout) ?? true;

    /// <summary>
    /// Stops serving: a traced process still running (one that escaped its run's containment) then
    /// gets ENOSYS from the calls the filter stops. Waits for the serving thread. Disposing again does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        FileDescriptors.Notify(_stop);
        _server?.Join();
        _listener?.Dispose();
        _stop.Dispose();
    }

    /// <summary>
    /// Records <paramref name="call"/> and lets it run (CONTINUE), whatever recording it met; a call of
    /// a class the run's emulation closes (the filter stops those only to be seen: see
    /// <see cref="Sandbox.LaunchFilter"/>) is failed instead, with the errno the filter fails it with untraced.
    /// </summary>
    internal void Answer(SafeDescriptorHandle listener, in Seccomp.Notification call)
    {
        int? denied = SyscallTable.Current is { } table ? EmulatedCalls.DeniedErrno(table, call.Nr) : null;
        try
        {
            Interlocked.Increment(ref _calls);
            _decoded.Clear();
            if (denied is null) _decoder.Decode(call, _decoded);
            else _decoded.Add(Emulated(SyscallTable.Current!, call));
            // Whatever was read from the thread's memory and /proc/<pid> was its own only if the call still waits.
            if (_decoded.Count > 0 && Seccomp.IsPending(listener, call.Id)) Record((int)call.Pid, listener, call.Id);
        }
        finally
        {
            if (denied is int errno) Seccomp.Deny(listener, call.Id, errno);
            else Seccomp.Continue(listener, call.Id);
        }
    }

    // Told by the call's number and registers alone: nothing is read from the thread's memory.
    private static unsafe ObservedAccess Emulated(SyscallTable table, in Seccomp.Notification call)
    {
        Seccomp.Notification copy = call;
        LandlockEmulation emulation = EmulatedCalls.ClassOf(table, call.Nr, copy.Args[0]);
        return new ObservedAccess(EmulatedCalls.Name(table, call.Nr), null, false,
            EmulatedCalls.AccessFs(emulation), EmulatedCalls.AccessNet(emulation), Emulation: emulation);
    }

    /// <summary>Takes over the listener once the launch is done with it, and serves it on a thread of its own.</summary>
    internal void Attach(SafeDescriptorHandle listener)
    {
        if (Interlocked.Exchange(ref _attached, 1) != 0)
        {
            listener.Dispose();
            throw new InvalidOperationException("An AccessObserver observes one launch only.");
        }
        _listener = listener;
        _server = new Thread(Serve) { IsBackground = true, Name = "LandlockPS observer" };
        _server.Start();
    }

    private unsafe void Serve()
    {
        ProcessApi.PollFd* fds = stackalloc ProcessApi.PollFd[2];
        while (true)
        {
            fds[0] = new ProcessApi.PollFd { Fd = _listener!.Fd, Events = ProcessApi.POLLIN };
            fds[1] = new ProcessApi.PollFd { Fd = _stop.Fd, Events = ProcessApi.POLLIN };
            if (ProcessApi.Poll(fds, 2, -1) < 0)
            {
                if (Marshal.GetLastPInvokeError() == ProcessApi.EINTR) continue;
                return;
            }
            if (fds[1].Revents != 0) return;
            if ((fds[0].Revents & ProcessApi.POLLIN) != 0)
            {
                // A caller killed meanwhile needs no answer.
                if (Seccomp.TryReceive(_listener, out Seccomp.Notification call)) Answer(_listener, call);
                continue;
            }
            // POLLHUP: no process holds the filter any more.
            if (fds[0].Revents != 0) return;
        }
    }

    // A new access also reads who made it from /proc/<tid>: that too was the thread's own only if the
    // call still waits once read (a thread killed meanwhile may have left its id to another).
    private void Record(int tid, SafeDescriptorHandle listener, ulong id)
    {
        lock (_accesses)
        {
            foreach (ObservedAccess access in _decoded)
            {
                var key = new AccessKey(access.Operation, access.Path, access.Access, access.NetAccess, access.Port);
                if (_accesses.TryGetValue(key, out Entry? seen))
                {
                    seen.Count++;
                    if (InWork) seen.WorkCount++;
                }
                else if (_accesses.Count >= MaximumAccesses)
                {
                    _lost++;
                }
                else if (First(tid, access) is { } first && Seccomp.IsPending(listener, id))
                {
                    _accesses[key] = new Entry(first, _accesses.Count) { WorkCount = InWork ? 1 : 0 };
                }
            }
        }
    }

    // Told once, when an access is first seen: who made it, whether a read is of a directory, where
    // links lead. An open, exec or truncate of a name that does not exist fails (ENOENT) before
    // Landlock is asked, and programs probe many (library and module search paths, each PATH folder
    // an execvp tries): such an access is not recorded, and is looked at again the next time, when
    // the name may exist.
    private static LandlockAccessEvent? First(int tid, ObservedAccess access)
    {
        LandlockAccessFs rights = access.Access;
        if (NamesExistingEntry(access) && access.Path is { } path)
        {
            if (!PathLookup.TryStat(path, out LibC.StatxBuffer status, out _)) return null;
            if (access.Operation == "open" && rights == LandlockAccessFs.ReadFile && status.IsDirectory) rights = LandlockAccessFs.ReadDir;
        }
        return new LandlockAccessEvent
        {
            ProcessId = ThreadGroup(tid),
            Program = PathLookup.ReadLink($"/proc/{tid}/exe", out _) ?? string.Empty,
            Operation = access.Operation,
            Path = access.Path,
            LinkTarget = access.Path is null ? null : TraceePaths.LinkTarget(access.Path, access.FollowsLink),
            Access = rights,
            NetAccess = access.NetAccess,
            Port = access.Port,
            Emulation = access.Emulation,
        };
    }

    private static bool NamesExistingEntry(ObservedAccess access) => access.Operation switch
    {
        "open" => (access.Access & LandlockAccessFs.MakeReg) == 0,
        "execve" or "truncate" => true,
        _ => false,
    };

    // The process a thread belongs to (its Tgid); the thread itself when that cannot be read.
    private static int ThreadGroup(int tid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{tid}/status"))
            {
                if (line.StartsWith("Tgid:", StringComparison.Ordinal) && int.TryParse(line.AsSpan(5).Trim(), out int tgid)) return tgid;
            }
        }
        catch (IOException)
        {
            // Gone meanwhile.
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to read.
        }
        return tid;
    }

    private static LandlockException Unsupported(string why) =>
        new($"Cannot trace a run: {why}.", "seccomp", Errno.ENOSYS, "TraceNotSupported");

    private readonly record struct AccessKey(string Operation, string? Path, LandlockAccessFs Access, LandlockAccessNet NetAccess, int? Port);

    private sealed class Entry(LandlockAccessEvent first, long order)
    {
        public LandlockAccessEvent Event { get; } = first;
        public long Order { get; } = order;
        public long Count { get; set; } = 1;
        // How often the work made it, once it started (see MarkWorkStart).
        public long WorkCount { get; set; }
    }
}
