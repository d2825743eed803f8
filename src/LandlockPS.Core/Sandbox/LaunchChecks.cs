using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using LandlockPS.Core.Dependencies;
using LandlockPS.Core.Errors;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>Checks a launch before it happens and explains one that failed.</summary>
internal static class LaunchChecks
{
    internal static void Validate(SandboxStartInfo info)
    {
        if (info.Observer is not null) Observe.AccessObserver.RequireSupport();
        string? withNul = new[] { info.FilePath, info.WorkingDirectory, info.ArgumentZero ?? string.Empty }
            .Concat(info.Arguments)
            .Concat(info.Environment?.SelectMany(e => new[] { e.Key, e.Value }) ?? [])
            .FirstOrDefault(s => s.Contains('\0'));
        if (withNul is not null)
        {
            throw new LandlockException(
                $"A program path, argument, directory or environment entry contains a NUL character, which no program can receive: '{withNul.Replace("\0", "\\0")}'.",
                errorId: "InvalidLaunchArgument");
        }
        if (!Path.IsPathFullyQualified(info.FilePath))
        {
            throw new LandlockException($"The program path must be absolute; got '{info.FilePath}'.", errorId: "ExecutableNotFound");
        }
        if (!File.Exists(info.FilePath))
        {
            throw new LandlockException(
                Directory.Exists(info.FilePath) ? $"'{info.FilePath}' is a directory, not a program." : $"The program '{info.FilePath}' does not exist.",
                errorId: "ExecutableNotFound");
        }
        if (ProcessApi.Access(info.FilePath, ProcessApi.X_OK) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno == Errno.EACCES
                ? new LandlockException(
                    $"'{info.FilePath}' is not executable for this user: its permission bits, or a file system mounted noexec. Make it executable (chmod +x), or run its interpreter instead.",
                    "access", errno, "ExecutableNotAllowed")
                // A loop of links, say: File.Exists judges the last link itself.
                : new LandlockException($"Could not use the program '{info.FilePath}': {PathLookup.Failure(errno)}.", "access", errno, "ExecutableNotFound");
        }
        if (!Path.IsPathFullyQualified(info.WorkingDirectory) || !Directory.Exists(info.WorkingDirectory))
        {
            throw new LandlockException($"The working directory '{info.WorkingDirectory}' does not exist or is not a directory.", errorId: "WorkingDirectoryNotFound");
        }
    }

    /// <summary>Refuses to run unconfined unless the caller said so.</summary>
    internal static void RequireEnforcement(LandlockEnforcementReport report, bool allowUnconfined)
    {
        if (report.Status != EnforcementStatus.NotEnforced || allowUnconfined) return;
        string errorId = report.UnavailableReason is null ? "RulesetNotEnforced" : LandlockSupport.Query().Status switch
        {
            LandlockAvailability.NotEnabled => "LandlockNotEnabled",
            _ => "LandlockNotSupported",
        };
        throw new LandlockException($"Refusing to start the program without a sandbox. {report.Describe()}", errorId: errorId)
        {
            Remedy = LandlockRemedy.AllowUnconfined,
        };
    }

    internal static LandlockException ForFailedStep(LaunchStep step, int errno, SandboxStartInfo info, LandlockAccessFs enforced,
        LandlockRuleset? ruleset = null) => step switch
    {
        LaunchStep.Spawn => ForSpawn(errno, info, enforced, ruleset),
        LaunchStep.DropBoundingSet => new LandlockException(
            $"Could not empty the capability bounding set ({Errno.Name(errno)}): running as root without CAP_SETPCAP, the child " +
            "could regain capabilities at exec. Run with CAP_SETPCAP, or let the child keep its capabilities.",
            "prctl(PR_CAPBSET_DROP)", errno, "CapabilityDropFailed") { Remedy = LandlockRemedy.KeepCapabilities },
        LaunchStep.ClearAmbient or LaunchStep.DropCapabilities => new LandlockException(
            $"Could not drop the child's capabilities ({Errno.Name(errno)}).", step == LaunchStep.ClearAmbient ? "prctl(PR_CAP_AMBIENT)" : "capset", errno, "CapabilityDropFailed"),
        LaunchStep.RestrictSelf => new LandlockException(
            $"The kernel refused to enforce the ruleset ({Errno.Name(errno)}). Nothing was started.", "landlock_restrict_self", errno, "RestrictFailed"),
        LaunchStep.InstallFilter when errno == Errno.EBUSY => NestedListener(info),
        LaunchStep.InstallFilter => new LandlockException(
            $"The kernel refused the seccomp filter that closes what its Landlock lacks and places the child in its cgroup ({Errno.Name(errno)}). " +
            "Nothing was started. A seccomp profile around this process (a container's) may forbid seccomp(2) or its listeners.",
            "seccomp", errno, "RestrictFailed"),
        _ => new LandlockException($"Preparing the sandboxed thread failed at {step} ({Errno.Name(errno)}). Nothing was started.", step.ToString(), errno, "LaunchFailed"),
    };

    // The kernel allows one seccomp listener in a process's chain of filters (EBUSY for a second): a
    // sandbox that is itself traced holds it for as long as it runs.
    private static LandlockException NestedListener(SandboxStartInfo info) => new(
        (info.Observer is not null ? "This run cannot be traced" : "This run cannot be placed in its cgroup") +
        ": this process itself runs inside a traced run, or under another program's seccomp listener, and the kernel " +
        "allows one listener per process tree (EBUSY). Nothing was started. Trace the work from outside that run (trace the " +
        "whole of it once), or run the outer sandbox untraced.",
        "seccomp", Errno.EBUSY, "NestedTraceNotSupported");

    // The rules the child really ran under: the held ones (a program's dependencies) were compiled
    // in beside the ruleset's own, so a judge without them would blame files they allowed.
    private static LandlockRuleset WithHeldRules(LandlockRuleset ruleset, SandboxStartInfo info)
    {
        if (info.HeldPathRules.Count == 0) return ruleset;
        LandlockRuleset effective = ruleset.Clone();
        foreach (HeldPathRule rule in info.HeldPathRules) effective.AddPathRuleWithin(rule.Path, rule.Access, isDirectory: false);
        return effective;
    }

    private static LandlockException ForSpawn(int errno, SandboxStartInfo info, LandlockAccessFs enforced, LandlockRuleset? ruleset)
    {
        string? interpreter = ExecutableInspector.FindInterpreter(info.FilePath);
        string? interpreterFolder = interpreter is null ? null : Path.GetDirectoryName(interpreter);
        string needs = interpreter is null
            ? "allow ReadFile and Execute on it"
            : $"allow ReadFile and Execute on it, and on its interpreter {interpreter} and the libraries that loads " +
              (string.IsNullOrEmpty(interpreterFolder) ? "(e.g. ReadExecute on /usr/lib)" : $"(e.g. ReadExecute on {interpreterFolder} and /usr/lib)");
        bool rulesetInvolved = (enforced & (LandlockAccessFs.Execute | LandlockAccessFs.ReadFile)) != 0;
        return errno switch
        {
            Errno.EACCES when !rulesetInvolved => new LandlockException(
                $"Executing {info.FilePath} was denied, and not by the ruleset (it does not restrict executing or reading files): " +
                $"check its permissions{(interpreter is null ? string.Empty : $" and its interpreter {interpreter}'s")}, and that its file system is not mounted noexec.",
                "posix_spawn", errno, "ExecutableNotAllowed"),
            // Named file by file where the ruleset is at hand; otherwise the general advice.
            Errno.EACCES => (ruleset is null ? null : DeniedExecution.Explain(info.FilePath, WithHeldRules(ruleset, info), info.Dependencies)) ?? new LandlockException(
                $"The ruleset does not allow executing {info.FilePath}: {needs}.", "posix_spawn", errno, "ExecutableNotAllowed")
            {
                // Resolving the program's dependencies finds exactly those files, unless that was done.
                Remedy = DeniedExecution.RemedyFor(info.Dependencies),
            },
            Errno.ENOENT => new LandlockException(
                $"Could not execute {info.FilePath}: it{(interpreter is null ? string.Empty : $" or its interpreter {interpreter}")} does not exist.",
                "posix_spawn", errno, "ExecutableNotFound"),
            Errno.E2BIG => new LandlockException(
                "The arguments and environment are too long for the kernel (E2BIG). Pass less, or use files or standard input.", "posix_spawn", errno, "ArgumentListTooLong"),
            Errno.ENOEXEC => new LandlockException(
                $"{info.FilePath} is not a program this machine can run (ENOEXEC): not an ELF binary for this architecture, and no #! line.", "posix_spawn", errno, "LaunchFailed"),
            Errno.ETXTBSY => new LandlockException(
                $"{info.FilePath} is open for writing by another process (ETXTBSY); wait until it is written, then run it.", "posix_spawn", errno, "LaunchFailed"),
            _ => new LandlockException($"Could not execute {info.FilePath} ({Errno.Name(errno)}).", "posix_spawn", errno, "LaunchFailed"),
        };
    }
}
