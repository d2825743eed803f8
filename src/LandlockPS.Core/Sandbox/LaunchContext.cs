using System.Runtime.CompilerServices;
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
    Spawn,
}

/// <summary>
/// Everything the launch thread needs, laid out before it starts, and what it reports back.
/// <see cref="Run"/> allocates nothing and calls only pre-bound native functions.
/// </summary>
internal sealed unsafe class LaunchContext
{
    private const long SYS_landlock_restrict_self = 446;

    public int RulesetFd = -1;
    public uint RestrictFlags;
    public bool DropCapabilities;
    public bool BoundingDropRequired;
    public int LastCapability;
    public byte* Path;
    public byte** Argv;
    public byte** Envp;
    public void* FileActions;
    public void* Attributes;
    public void* ThreadSignalMask;
    public void* CapHeader;
    public void* CapData;

    public int Pid;
    public int ThreadId;
    public LaunchStep FailedStep;
    public int Errno;

    static LaunchContext()
    {
        // Compile everything the launch thread runs now, fully optimized (no tiering, no on-stack
        // replacement), and bind the native functions: nothing may be compiled, resolved or
        // initialized on the confined thread.
        RuntimeHelpers.RunClassConstructor(typeof(SpawnApi).TypeHandle);
        foreach (var method in typeof(LaunchContext).GetMethods(
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public |
            System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly))
        {
            RuntimeHelpers.PrepareMethod(method.MethodHandle);
        }
    }

    /// <summary>Runs on a new, dedicated OS thread that ends right after: confine it, spawn the child.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public void Run()
    {
        ThreadId = SpawnApi.Gettid();

        // No runtime signal handler may run on this thread once it is confined.
        if (SpawnApi.PthreadSigmask(SpawnApi.SIG_BLOCK, ThreadSignalMask, null) != 0)
        {
            Fail(LaunchStep.BlockSignals);
            return;
        }

        if (DropCapabilities)
        {
            // Empty bounding set first (it needs CAP_SETPCAP), so not even uid 0 regains a
            // capability at exec. Without CAP_SETPCAP and not root, no-new-privileges is enough.
            for (int cap = 0; cap <= LastCapability; cap++)
            {
                if (SpawnApi.Prctl(SpawnApi.PR_CAPBSET_DROP, (nuint)cap, 0, 0, 0) != 0)
                {
                    if (!BoundingDropRequired) break;
                    Fail(LaunchStep.DropBoundingSet);
                    return;
                }
            }
            if (SpawnApi.Prctl(SpawnApi.PR_CAP_AMBIENT, SpawnApi.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
            {
                Fail(LaunchStep.ClearAmbient);
                return;
            }
            if (SpawnApi.Capset(CapHeader, CapData) != 0)
            {
                Fail(LaunchStep.DropCapabilities);
                return;
            }
        }

        if (SpawnApi.Prctl(LibC.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        {
            Fail(LaunchStep.NoNewPrivileges);
            return;
        }

        if (RulesetFd >= 0 && SpawnApi.Syscall(SYS_landlock_restrict_self, RulesetFd, (nint)RestrictFlags, 0, 0) != 0)
        {
            Fail(LaunchStep.RestrictSelf);
            return;
        }

        int pid;
        int rc = SpawnApi.PosixSpawn(&pid, Path, FileActions, Attributes, Argv, Envp);
        if (rc != 0)
        {
            FailedStep = LaunchStep.Spawn;
            Errno = rc;
            return;
        }
        Pid = pid;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fail(LaunchStep step)
    {
        FailedStep = step;
        Errno = *SpawnApi.ErrnoLocation();
    }
}
