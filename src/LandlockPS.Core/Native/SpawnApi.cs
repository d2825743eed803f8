using System;
using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>
/// libc functions bound to raw function pointers once, before any launch. The launch thread calls
/// only these: a first P/Invoke call may probe the file system for its library, which a confined
/// thread may not be allowed to read, and a function pointer call needs no marshalling stub.
/// </summary>
internal static unsafe class SpawnApi
{
    internal const int PR_CAPBSET_READ = 23;
    internal const int PR_CAPBSET_DROP = 24;
    internal const int PR_CAP_AMBIENT = 47;
    internal const int PR_CAP_AMBIENT_CLEAR_ALL = 4;
    internal const int SIG_BLOCK = 0;
    internal const short POSIX_SPAWN_SETSIGDEF = 0x04;
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08;
    internal const short POSIX_SPAWN_SETSID = 0x80;
    internal const uint LinuxCapabilityVersion3 = 0x20080522;

    // glibc's sizes are 80 (file actions) and 336 (attributes) bytes; room to spare costs nothing.
    internal const int SpawnObjectSize = 1024;
    internal const int SigsetSize = 128;

    // Called on the launch thread. SuppressGCTransition keeps runtime code from running between a
    // call and the errno read that follows it; these calls are short and never block.
    internal static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<int, nuint, nuint, nuint, nuint, int> Prctl;
    internal static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<void*, void*, int> Capset;
    internal static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<long, nint, nint, nint, nint, long> Syscall;
    internal static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<int*> ErrnoLocation;
    internal static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<int, void*, void*, int> PthreadSigmask;
    internal static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<int> Gettid;
    internal static readonly delegate* unmanaged[Cdecl]<int*, byte*, void*, void*, byte**, byte**, int> PosixSpawn;
    internal static readonly delegate* unmanaged[Cdecl]<int, void*, nuint, nint> Read;
    internal static readonly delegate* unmanaged[Cdecl]<int, void*, nuint, nint> Write;

    // Called on the calling thread: start the launch thread and wait for it to end.
    internal static readonly delegate* unmanaged[Cdecl]<nint*, void*, delegate* unmanaged<void*, void*>, void*, int> PthreadCreate;
    internal static readonly delegate* unmanaged[Cdecl]<nint, void**, int> PthreadJoin;

    // Called on the calling thread, to prepare what the launch thread uses.
    internal static readonly delegate* unmanaged[Cdecl]<void*, int> FileActionsInit;
    internal static readonly delegate* unmanaged[Cdecl]<void*, int> FileActionsDestroy;
    internal static readonly delegate* unmanaged[Cdecl]<void*, int, int, int> FileActionsAddDup2;
    internal static readonly delegate* unmanaged[Cdecl]<void*, int, byte*, int, uint, int> FileActionsAddOpen;
    internal static readonly delegate* unmanaged[Cdecl]<void*, byte*, int> FileActionsAddChdir;
    internal static readonly delegate* unmanaged[Cdecl]<void*, int, int> FileActionsAddClosefrom;
    internal static readonly delegate* unmanaged[Cdecl]<void*, int> AttrInit;
    internal static readonly delegate* unmanaged[Cdecl]<void*, int> AttrDestroy;
    internal static readonly delegate* unmanaged[Cdecl]<void*, short, int> AttrSetFlags;
    internal static readonly delegate* unmanaged[Cdecl]<void*, void*, int> AttrSetSigmask;
    internal static readonly delegate* unmanaged[Cdecl]<void*, void*, int> AttrSetSigdefault;
    internal static readonly delegate* unmanaged[Cdecl]<void*, int> SigEmptySet;
    internal static readonly delegate* unmanaged[Cdecl]<void*, int> SigFillSet;

    static SpawnApi()
    {
        nint libc = NativeLibrary.Load("libc.so.6");
        Prctl = (delegate* unmanaged[Cdecl, SuppressGCTransition]<int, nuint, nuint, nuint, nuint, int>)NativeLibrary.GetExport(libc, "prctl");
        Capset = (delegate* unmanaged[Cdecl, SuppressGCTransition]<void*, void*, int>)NativeLibrary.GetExport(libc, "capset");
        Syscall = (delegate* unmanaged[Cdecl, SuppressGCTransition]<long, nint, nint, nint, nint, long>)NativeLibrary.GetExport(libc, "syscall");
        ErrnoLocation = (delegate* unmanaged[Cdecl, SuppressGCTransition]<int*>)NativeLibrary.GetExport(libc, "__errno_location");
        PthreadSigmask = (delegate* unmanaged[Cdecl, SuppressGCTransition]<int, void*, void*, int>)NativeLibrary.GetExport(libc, "pthread_sigmask");
        Gettid = (delegate* unmanaged[Cdecl, SuppressGCTransition]<int>)NativeLibrary.GetExport(libc, "gettid");
        Read = (delegate* unmanaged[Cdecl]<int, void*, nuint, nint>)NativeLibrary.GetExport(libc, "read");
        Write = (delegate* unmanaged[Cdecl]<int, void*, nuint, nint>)NativeLibrary.GetExport(libc, "write");
        PosixSpawn = (delegate* unmanaged[Cdecl]<int*, byte*, void*, void*, byte**, byte**, int>)NativeLibrary.GetExport(libc, "posix_spawn");
        PthreadCreate = (delegate* unmanaged[Cdecl]<nint*, void*, delegate* unmanaged<void*, void*>, void*, int>)NativeLibrary.GetExport(libc, "pthread_create");
        PthreadJoin = (delegate* unmanaged[Cdecl]<nint, void**, int>)NativeLibrary.GetExport(libc, "pthread_join");
        FileActionsInit = (delegate* unmanaged[Cdecl]<void*, int>)NativeLibrary.GetExport(libc, "posix_spawn_file_actions_init");
        FileActionsDestroy = (delegate* unmanaged[Cdecl]<void*, int>)NativeLibrary.GetExport(libc, "posix_spawn_file_actions_destroy");
        FileActionsAddDup2 = (delegate* unmanaged[Cdecl]<void*, int, int, int>)NativeLibrary.GetExport(libc, "posix_spawn_file_actions_adddup2");
        FileActionsAddOpen = (delegate* unmanaged[Cdecl]<void*, int, byte*, int, uint, int>)NativeLibrary.GetExport(libc, "posix_spawn_file_actions_addopen");
        FileActionsAddChdir = (delegate* unmanaged[Cdecl]<void*, byte*, int>)NativeLibrary.GetExport(libc, "posix_spawn_file_actions_addchdir_np");
        FileActionsAddClosefrom = (delegate* unmanaged[Cdecl]<void*, int, int>)NativeLibrary.GetExport(libc, "posix_spawn_file_actions_addclosefrom_np");
        AttrInit = (delegate* unmanaged[Cdecl]<void*, int>)NativeLibrary.GetExport(libc, "posix_spawnattr_init");
        AttrDestroy = (delegate* unmanaged[Cdecl]<void*, int>)NativeLibrary.GetExport(libc, "posix_spawnattr_destroy");
        AttrSetFlags = (delegate* unmanaged[Cdecl]<void*, short, int>)NativeLibrary.GetExport(libc, "posix_spawnattr_setflags");
        AttrSetSigmask = (delegate* unmanaged[Cdecl]<void*, void*, int>)NativeLibrary.GetExport(libc, "posix_spawnattr_setsigmask");
        AttrSetSigdefault = (delegate* unmanaged[Cdecl]<void*, void*, int>)NativeLibrary.GetExport(libc, "posix_spawnattr_setsigdefault");
        SigEmptySet = (delegate* unmanaged[Cdecl]<void*, int>)NativeLibrary.GetExport(libc, "sigemptyset");
        SigFillSet = (delegate* unmanaged[Cdecl]<void*, int>)NativeLibrary.GetExport(libc, "sigfillset");
    }

    /// <summary>Throws when a preparation call (on the calling thread) returned an error number.</summary>
    internal static void Check(int rc, string call)
    {
        if (rc != 0)
        {
            throw new LandlockException($"Preparing the launch failed in {call} ({Errno.Name(rc)}).", call, rc, "LaunchFailed");
        }
    }
}
