using System;
using System.Collections.Generic;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Sandbox;

/// <summary>What a finished sandboxed run reports (Invoke-Sandboxed -PassThru).</summary>
public sealed class SandboxResult
{
    /// <summary>The result of a finished run.</summary>
    public SandboxResult(SandboxStartInfo info, SandboxedProcess process, bool timedOut, bool stopped)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(process);
        FilePath = info.FilePath;
        Arguments = info.Arguments;
        WorkingDirectory = info.WorkingDirectory;
        ProcessId = process.ProcessId;
        StartTime = process.StartTime;
        Duration = process.Duration;
        ExitCode = process.ExitStatus?.ShellExitCode;
        Signal = process.ExitStatus?.Signal;
        Status = process.Enforcement.Status;
        Dropped = process.Enforcement.Dropped;
        Emulated = process.Enforcement.Emulated;
        Enforcement = process.Enforcement;
        Containment = process.Containment;
        ContainmentDetail = process.ContainmentDetail;
        TimedOut = timedOut;
        Stopped = stopped;
        Ending = stopped ? SandboxEnding.Stopped : timedOut ? SandboxEnding.TimedOut : Signal is null ? SandboxEnding.Exited : SandboxEnding.Signaled;
    }

    /// <summary>The program that ran.</summary>
    public string FilePath { get; }
    /// <summary>Its arguments.</summary>
    public IReadOnlyList<string> Arguments { get; }
    /// <summary>Where it ran.</summary>
    public string WorkingDirectory { get; }
    /// <summary>Its process id.</summary>
    public int ProcessId { get; }
    /// <summary>When it started.</summary>
    public DateTimeOffset StartTime { get; }
    /// <summary>How long it ran.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The exit code, or 128 + the signal that ended it; null if it could not be reaped.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The signal that ended the child, if one did.</summary>
    public int? Signal { get; }

    /// <summary>How it ended: an exit code, or the signal that ended it.</summary>
    public EnforcementStatus Status { get; }

    /// <summary>What the kernel could not enforce of the ruleset.</summary>
    public IReadOnlyList<string> Dropped { get; }

    /// <summary>What a seccomp filter closed because the kernel's Landlock cannot.</summary>
    public LandlockEmulation Emulated { get; }

    /// <summary>What the kernel enforced for the run.</summary>
    public LandlockEnforcementReport Enforcement { get; }

    /// <summary>How the run ended: on its own (exit code or signal), by -TimeoutSec, or stopped.</summary>
    public SandboxEnding Ending { get; }

    /// <summary>True when the child outlived the grace period after Ctrl+C or -TimeoutSec, and its group was killed (SIGKILL).</summary>
    public bool KilledAfterGrace { get; init; }

    /// <summary>What held every process of the run, so that none outlived it.</summary>
    public ContainmentMechanism Containment { get; }

    /// <summary>The run's cgroup, or why only its process group held it.</summary>
    public string ContainmentDetail { get; }

    /// <summary>True when -TimeoutSec ended the run.</summary>
    public bool TimedOut { get; }

    /// <summary>True when the run was stopped (Ctrl+C).</summary>
    public bool Stopped { get; }

    /// <summary>
    /// Rules LandlockPS added for this run, to a copy of the caller's ruleset (which stays as it
    /// was): what a child pwsh needs to start (script blocks), or what a program loads
    /// (-AllowDependencies); empty otherwise.
    /// </summary>
    public IReadOnlyList<LandlockPathRule> ImplicitRules { get; init; } = [];

    /// <summary>
    /// With -ExplainDenials: each distinct access of the run that its ruleset denies, with the rule that
    /// would allow it (also written as warnings); empty when nothing was denied or the run was not traced.
    /// </summary>
    public IReadOnlyList<Observe.LandlockAccessEvent> Denials { get; init; } = [];
}
