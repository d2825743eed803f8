using System;
using System.IO;
using System.Threading;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// Confines a brand-new OS thread and spawns the child from it; the thread then ends. The child
/// inherits that thread's credentials, so it is confined from its first instruction, while no
/// thread that runs runtime or user code ever is.
/// </summary>
internal static unsafe class LaunchPad
{
    private static readonly Lazy<int> LastCapability = new(() =>
        int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Spawns the child with the given stdio descriptors; returns its pid or throws.</summary>
    internal static int Spawn(SandboxStartInfo info, CompiledRuleset ruleset, int stdinFd, int stdoutFd, int stderrFd)
    {
        using var block = new NativeLaunchBlock(info, stdinFd, stdoutFd, stderrFd);
        LaunchContext* context = block.Context;
        context->RulesetFd = ruleset.Handle?.Fd ?? -1;
        context->RestrictFlags = (uint)ruleset.RestrictFlags;
        context->DropCapabilities = info.KeepCapabilities ? 0 : 1;
        context->BoundingDropRequired = ProcessApi.GetEuid() == 0 ? 1 : 0;
        context->LastCapability = LastCapability.Value;

        bool added = false;
        ruleset.Handle?.DangerousAddRef(ref added);
        try
        {
            // A plain pthread, joinable, made for this launch alone: never a pool thread, never reused.
            nint thread;
            int rc = SpawnApi.PthreadCreate(&thread, null, LaunchThread.EntryPoint, context);
            if (rc != 0)
            {
                throw new LandlockException($"Could not start the launch thread ({Errno.Name(rc)}).", "pthread_create", rc, "LaunchFailed");
            }
            SpawnApi.PthreadJoin(thread, null);
            WaitUntilGone(context->ThreadId);
        }
        finally
        {
            if (added) ruleset.Handle!.DangerousRelease();
        }

        if (context->FailedStep != LaunchStep.None)
        {
            throw LaunchChecks.ForFailedStep(context->FailedStep, context->Errno, info);
        }
        return context->Pid;
    }

    // pthread_join returns once the kernel has cleared the thread's tid; its task (whose
    // credentials carry the sandbox) can stay listed for microseconds more. Wait, so no caller
    // ever sees a restricted thread in /proc/self/task.
    private static void WaitUntilGone(int tid)
    {
        if (tid <= 0) return;
        string task = $"/proc/self/task/{tid}";
        var spinner = new SpinWait();
        long deadline = Environment.TickCount64 + 1000;
        while (Directory.Exists(task) && Environment.TickCount64 < deadline) spinner.SpinOnce();
    }
}
