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
        var context = new LaunchContext
        {
            RulesetFd = ruleset.Handle?.Fd ?? -1,
            RestrictFlags = (uint)ruleset.RestrictFlags,
            DropCapabilities = !info.KeepCapabilities,
            BoundingDropRequired = ProcessApi.GetEuid() == 0,
            LastCapability = LastCapability.Value,
            Path = block.Path,
            Argv = block.Argv,
            Envp = block.Envp,
            FileActions = block.FileActions,
            Attributes = block.Attributes,
            ThreadSignalMask = block.ThreadSignalMask,
            CapHeader = block.CapHeader,
            CapData = block.CapData,
        };

        bool added = false;
        ruleset.Handle?.DangerousAddRef(ref added);
        try
        {
            var thread = new Thread(context.Run, 256 * 1024) { IsBackground = true, Name = "LandlockPS launch" };
            thread.UnsafeStart();
            thread.Join();
            WaitUntilGone(context.ThreadId);
        }
        finally
        {
            if (added) ruleset.Handle!.DangerousRelease();
        }

        if (context.FailedStep != LaunchStep.None)
        {
            throw LaunchChecks.ForFailedStep(context.FailedStep, context.Errno, info);
        }
        return context.Pid;
    }

    // Join returns when the managed thread is done; the kernel task (whose credentials carry the
    // sandbox) may linger for microseconds more. Wait, so no caller ever sees a restricted thread.
    private static void WaitUntilGone(int tid)
    {
        if (tid <= 0) return;
        string task = $"/proc/self/task/{tid}";
        var deadline = Environment.TickCount64 + 1000;
        while (Directory.Exists(task) && Environment.TickCount64 < deadline) Thread.Yield();
    }
}
