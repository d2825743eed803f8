using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;
using LandlockPS.Core.Observe;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// Confines a brand-new OS thread and spawns the child from it; the thread then ends. The child
/// inherits that thread's credentials, so it is confined from its first instruction, while no
/// thread that runs runtime or user code ever is.
/// </summary>
internal static unsafe class LaunchPad
{
    // The kernel's last capability: PR_CAPBSET_READ fails (EINVAL) past it. Asked of the kernel, not of
    // /proc/sys, which a /proc mounted with subset=pid (systemd's ProcSubset=pid) does not have.
    private static readonly Lazy<int> LastCapability = new(() =>
    {
        int last = 0;
        while (Seccomp.Prctl(SpawnApi.PR_CAPBSET_READ, (nuint)(last + 1), 0, 0, 0) >= 0) last++;
        return last;
    });

    private static readonly object SpareGate = new();
    private static SpareThread* _spare;

    /// <summary>
    /// A launch thread made ahead of the launch that will use it: it empties its capability bounding
    /// set (the slow part: one credential commit per capability) while the previous child runs, then
    /// waits on an eventfd. It keeps its other capabilities meanwhile, so it takes part in setuid
    /// broadcasts like any thread. Each spare serves exactly one launch and ends with it.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SpareThread
    {
        public nint Thread;
        public LaunchContext Context;
    }

    /// <summary>
    /// Spawns the child with the given stdio descriptors; returns its pid or throws. A cgroup
    /// <paramref name="tree"/> gets the child through the exec gate, before its program runs. The
    /// start info's observer, if any, is served from the spawn's first call on, and keeps the listener.
    /// </summary>
    internal static int Spawn(SandboxStartInfo info, CompiledRuleset ruleset, int stdinFd, int stdoutFd, int stderrFd, ProcessTree tree)
    {
        using var block = new NativeLaunchBlock(info, stdinFd, stdoutFd, stderrFd);
        var gated = tree as ControlGroupTree;
        AccessObserver? observer = info.Observer;
        Seccomp.SockFprog* filter = LaunchFilter.For(block, ruleset.Filter, execGate: gated is not null, observe: observer is not null);
        bool listens = gated is not null || observer is not null;
        using SafeDescriptorHandle? progress = listens ? FileDescriptors.EventFd() : null;
        bool dropCapabilities = !info.KeepCapabilities;
        bool added = false;
        ruleset.Handle?.DangerousAddRef(ref added);
        SpareThread* spare = dropCapabilities ? TakeSpare() : null;
        LaunchContext* context = spare is not null ? &spare->Context : null;
        try
        {
            if (spare is null) context = NewContext(dropCapabilities, goFd: -1);
            Aim(context, block, ruleset, filter, progress);
            bool gateReached = RunToEnd(context, spare, gated, progress, observer);
            if (context->FailedStep != LaunchStep.None)
            {
                throw LaunchChecks.ForFailedStep(context->FailedStep, context->Errno, info, ruleset.Report.EnforcedAccessFs, ruleset.Source);
            }
            // A child killed before its execve never reached the gate either; one that runs did without it.
            if (gated is not null && !gateReached && ProcessApi.ChildIsRunning(context->Pid)) throw Ungated(context->Pid);
            return context->Pid;
        }
        finally
        {
            if (added) ruleset.Handle!.DangerousRelease();
            if (spare is not null) Release(spare);
            else NativeMemory.Free(context);
            // The child is running now: make the next launch's thread while it does.
            if (dropCapabilities) EnsureSpare();
        }
    }

    // Everything the launch thread needs from this launch: what to spawn, the ruleset, the filter,
    // and where to report its listener (only when the filter has one, for the exec gate).
    private static void Aim(LaunchContext* context, NativeLaunchBlock block, CompiledRuleset ruleset, Seccomp.SockFprog* filter, SafeDescriptorHandle? progress)
    {
        block.FillIn(context);
        context->RulesetFd = ruleset.Handle?.Fd ?? -1;
        context->RestrictFlags = (uint)ruleset.RestrictFlags;
        context->Filter = filter;
        context->FilterFlags = progress is null ? 0 : Seccomp.SECCOMP_FILTER_FLAG_NEW_LISTENER;
        context->SeccompSyscall = SyscallTable.Current?.Seccomp ?? -1;
        context->ProgressFd = progress?.Fd ?? -1;
    }

    // Starts the launch thread (or lets the spare go) and joins it. The child of a gated or traced
    // launch waits for this thread's answer to its first calls, so they are served before the join.
    // True when the child's execve reached the gate.
    private static bool RunToEnd(LaunchContext* context, SpareThread* spare, ControlGroupTree? gated, SafeDescriptorHandle? progress, AccessObserver? observer)
    {
        nint thread = spare is not null ? Go(spare) : Start(context);
        try
        {
            return progress is not null && ExecGate.Serve(context, progress, gated, SyscallTable.Current!, observer);
        }
        finally
        {
            SpawnApi.PthreadJoin(thread, null);
            WaitUntilGone(context->ThreadId);
        }
    }

    // The program ran without passing the gate: this C library's posix_spawn did not hand execve
    // the launch's own pointers. It may not outlive the launch, and no later run trusts the gate.
    private static LandlockException Ungated(int pid)
    {
        ProcessApi.Kill(-pid, ProcessApi.SIGKILL);
        ProcessApi.SigInfo reaped;
        ProcessApi.WaitId(ProcessApi.P_PID, pid, &reaped, ProcessApi.WEXITED);
        const string why = "this C library's posix_spawn does not pass the program path to execve as given, so a child cannot enter its cgroup before it runs";
        ControlGroupHierarchy.MarkUnusable(why);
        return new LandlockException($"The program started before it could be placed in its cgroup, and was killed: {why}. Runs from now on are held by their process group.",
            "posix_spawn", 0, "ContainmentFailed");
    }

    /// <summary>Makes a spare if there is none. Spares only save time: a failure leaves launches to make their own.</summary>
    private static void EnsureSpare()
    {
        try
        {
            MakeSpare();
        }
        catch (Exception e) when (e is LandlockException or IOException or OutOfMemoryException)
        {
            // The next launch makes its own thread instead.
        }
    }

    private static LaunchContext* NewContext(bool dropCapabilities, int goFd)
    {
        var context = (LaunchContext*)NativeMemory.AllocZeroed((nuint)sizeof(LaunchContext));
        Fill(context, dropCapabilities, goFd);
        return context;
    }

    private static void Fill(LaunchContext* context, bool dropCapabilities, int goFd)
    {
        LaunchThread.Prepare(context);
        context->RulesetFd = -1;
        context->DropCapabilities = dropCapabilities ? 1 : 0;
        context->BoundingDropRequired = ProcessApi.GetEuid() == 0 ? 1 : 0;
        context->LastCapability = LastCapability.Value;
        context->GoFd = goFd;
    }

    // A plain pthread, joinable, made for one launch alone: never a pool thread, never reused.
    private static nint Start(LaunchContext* context)
    {
        nint thread;
        int rc = SpawnApi.PthreadCreate(&thread, null, LaunchThread.EntryPoint, context);
        if (rc != 0)
        {
            throw new LandlockException($"Could not start the launch thread ({Errno.Name(rc)}).", "pthread_create", rc, "LaunchFailed");
        }
        return thread;
    }

    private static SpareThread* TakeSpare()
    {
        lock (SpareGate)
        {
            SpareThread* spare = _spare;
            _spare = null;
            return spare;
        }
    }

    private static void MakeSpare()
    {
        lock (SpareGate)
        {
            if (_spare is not null) return;
            var spare = (SpareThread*)NativeMemory.AllocZeroed((nuint)sizeof(SpareThread));
            int go = ProcessApi.EventFd(0, ProcessApi.EFD_CLOEXEC);
            if (go < 0)
            {
                NativeMemory.Free(spare);
                return; // launches make their thread on demand instead
            }
            Fill(&spare->Context, dropCapabilities: true, go);
            if (SpawnApi.PthreadCreate(&spare->Thread, null, LaunchThread.EntryPoint, &spare->Context) != 0)
            {
                LibC.Close(go);
                NativeMemory.Free(spare);
                return;
            }
            _spare = spare;
        }
    }

    private static nint Go(SpareThread* spare)
    {
        ulong one = 1;
        ProcessApi.Write(spare->Context.GoFd, (byte*)&one, sizeof(ulong));
        return spare->Thread;
    }

    private static void Release(SpareThread* spare)
    {
        LibC.Close(spare->Context.GoFd);
        NativeMemory.Free(spare);
    }

    // pthread_join returns once the kernel has cleared the thread's tid; its task (whose
    // credentials carry the sandbox) can stay listed for microseconds more. Wait, so no caller
    // ever sees a restricted thread in /proc/self/task. Asked of the kernel by id: a /proc of
    // another PID namespace would list another process's threads under this namespace's ids.
    private static void WaitUntilGone(int tid)
    {
        var spinner = new SpinWait();
        long deadline = Environment.TickCount64 + 1000;
        while (ProcessApi.ThreadExists(tid) && Environment.TickCount64 < deadline) spinner.SpinOnce();
    }
}
