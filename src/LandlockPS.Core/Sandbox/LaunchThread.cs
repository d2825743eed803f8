using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>The step of a launch that failed on the launch thread.</summary>
internal enum LaunchStep
{
    None,
    BlockSignals,
    DropBoundingSet,
    ClearAmbient,
    DropCapabilities,
    NoNewPrivileges,
    RestrictSelf,
    InstallFilter,
    Spawn,
    WaitForLaunch,
}

/// <summary>
/// Everything the launch thread needs, in native memory, laid out before it starts; and what it
/// reports back. The thread sees only this struct: no managed object, no GC reference.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LaunchContext
{
    public int RulesetFd;
    public uint RestrictFlags;
    public int DropCapabilities;
    public int BoundingDropRequired;
    public int LastCapability;
    /// <summary>An eventfd the thread waits on before it confines itself (a spare made ahead), or -1.</summary>
    public int GoFd;
    public byte* Path;
    public byte** Argv;
    public byte** Envp;
    public void* FileActions;
    public void* Attributes;
    public void* ThreadSignalMask;
    public void* CapHeader;
    public void* CapData;
    /// <summary>The seccomp program (a sock_fprog) installed after Landlock, or null.</summary>
    public void* Filter;
    public uint FilterFlags;
    public long SeccompSyscall;
    /// <summary>
    /// An eventfd the thread writes once its filter's listener exists and again when it is done,
    /// for the caller thread that serves the listener meanwhile; -1 when the filter has none.
    /// </summary>
    public int ProgressFd;

    public int Pid;
    public int ThreadId;
    public LaunchStep FailedStep;
    public int Errno;
    /// <summary>The filter's listener, in this process's descriptor table; -1 until it exists.</summary>
    public int ListenerFd;
    /// <summary>Set (before the last write to <see cref="ProgressFd"/>) when the thread is done.</summary>
    public int Finished;
}

/// <summary>
/// The code of the launch thread: a plain pthread started for one launch, that runs
/// <see cref="Run"/> and ends. <see cref="Run"/> allocates nothing and calls only pre-bound native
/// functions once the thread starts giving up its rights. After it returns, only the runtime's
/// thread-exit bookkeeping runs on the thread (freeing its stack and signal stack; no file access).
/// </summary>
internal static unsafe class LaunchThread
{

    // Constant for the life of the process, shared by every launch thread: the signals it blocks
    // (all but glibc's internal 32 and 33, which glibc keeps for itself) and the all-zero capability
    // sets it takes (struct __user_cap_header_struct { u32 version; int pid; } and two data structs).
    private static readonly void* ThreadSignalMask = NativeMemory.AllocZeroed(SpawnApi.SigsetSize);
    private static readonly void* CapHeader = NativeMemory.AllocZeroed(8);
    private static readonly void* CapData = NativeMemory.AllocZeroed(24);

    static LaunchThread()
    {
        SpawnApi.SigFillSet(ThreadSignalMask);
        *(ulong*)ThreadSignalMask &= ~((1UL << 31) | (1UL << 32));
        *(uint*)CapHeader = SpawnApi.LinuxCapabilityVersion3;

        // Compile what runs on the thread now, fully optimized (no tiering, no on-stack
        // replacement), and bind the native functions: nothing may be compiled, resolved or
        // initialized once the thread is confined.
        RuntimeHelpers.RunClassConstructor(typeof(SpawnApi).TypeHandle);
        foreach (string method in new[] { nameof(Launch), nameof(Fail), nameof(Report) })
        {
            RuntimeHelpers.PrepareMethod(typeof(LaunchThread).GetMethod(method, System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!.MethodHandle);
        }
    }

    /// <summary>The thread's start routine. Entering it (before anything is confined) attaches the thread to the runtime.</summary>
    internal static delegate* unmanaged<void*, void*> EntryPoint => &Run;

    /// <summary>Sets what every launch thread gets whatever the launch: its signal mask, the zero capability sets, no filter yet.</summary>
    internal static void Prepare(LaunchContext* context)
    {
        context->ThreadSignalMask = ThreadSignalMask;
        context->CapHeader = CapHeader;
        context->CapData = CapData;
        context->ProgressFd = -1;
        context->ListenerFd = -1;
    }

    [UnmanagedCallersOnly]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void* Run(void* argument)
    {
        LaunchContext* c = (LaunchContext*)argument;
        c->ThreadId = SpawnApi.Gettid();
        Launch(c);
        c->Finished = 1;
        Report(c);
        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Launch(LaunchContext* c)
    {
        // No runtime signal handler may run on this thread once it is confined.
        if (SpawnApi.PthreadSigmask(SpawnApi.SIG_BLOCK, c->ThreadSignalMask, null) != 0)
        {
            Fail(c, LaunchStep.BlockSignals);
            return;
        }

        if (c->DropCapabilities != 0)
        {
            // Empty bounding set first (it needs CAP_SETPCAP), so not even uid 0 regains a
            // capability at exec. Without CAP_SETPCAP and not root, no-new-privileges is enough.
            // Each drop commits new credentials: a spare thread does this while it waits.
            for (int cap = 0; cap <= c->LastCapability; cap++)
            {
                // Already gone (e.g. inside another sandbox): nothing to drop, and no CAP_SETPCAP needed.
                if (SpawnApi.Prctl(SpawnApi.PR_CAPBSET_READ, (nuint)cap, 0, 0, 0) == 0) continue;
                if (SpawnApi.Prctl(SpawnApi.PR_CAPBSET_DROP, (nuint)cap, 0, 0, 0) == 0) continue;
                if (c->BoundingDropRequired == 0) break;
                Fail(c, LaunchStep.DropBoundingSet);
                return;
            }
        }

        // A spare waits here, holding every capability it had but an empty bounding set, until a
        // launch has filled in the rest of the context.
        if (c->GoFd >= 0)
        {
            ulong go;
            while (SpawnApi.Read(c->GoFd, &go, sizeof(ulong)) < 0)
            {
                if (*SpawnApi.ErrnoLocation() != ProcessApi.EINTR)
                {
                    Fail(c, LaunchStep.WaitForLaunch);
                    return;
                }
            }
        }

        if (c->DropCapabilities != 0)
        {
            if (SpawnApi.Prctl(SpawnApi.PR_CAP_AMBIENT, SpawnApi.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
            {
                Fail(c, LaunchStep.ClearAmbient);
                return;
            }
            if (SpawnApi.Capset(c->CapHeader, c->CapData) != 0)
            {
                Fail(c, LaunchStep.DropCapabilities);
                return;
            }
        }

        if (SpawnApi.Prctl(LibC.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        {
            Fail(c, LaunchStep.NoNewPrivileges);
            return;
        }

        if (c->RulesetFd >= 0 && SpawnApi.Syscall(LibC.SYS_landlock_restrict_self, c->RulesetFd, (nint)c->RestrictFlags, 0, 0) != 0)
        {
            Fail(c, LaunchStep.RestrictSelf);
            return;
        }

        // The filter goes on after Landlock (seccomp needs no_new_privs, set above) and stays with
        // the child for good. A listener lands in this process's descriptor table: the caller
        // thread serving it learns its number through the context.
        if (c->Filter != null)
        {
            long filter = SpawnApi.Syscall(c->SeccompSyscall, (nint)Seccomp.SECCOMP_SET_MODE_FILTER, (nint)c->FilterFlags, (nint)c->Filter, 0);
            if (filter < 0)
            {
                Fail(c, LaunchStep.InstallFilter);
                return;
            }
            if (c->ProgressFd >= 0)
            {
                c->ListenerFd = (int)filter;
                Report(c);
            }
        }

        int pid;
        int rc = SpawnApi.PosixSpawn(&pid, c->Path, c->FileActions, c->Attributes, c->Argv, c->Envp);
        if (rc != 0)
        {
            c->FailedStep = LaunchStep.Spawn;
            c->Errno = rc;
            return;
        }
        c->Pid = pid;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Fail(LaunchContext* c, LaunchStep step)
    {
        c->FailedStep = step;
        c->Errno = *SpawnApi.ErrnoLocation();
    }

    // Wakes the caller thread serving the listener, if there is one.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Report(LaunchContext* c)
    {
        if (c->ProgressFd < 0) return;
        ulong one = 1;
        SpawnApi.Write(c->ProgressFd, &one, sizeof(ulong));
    }
}
