using System;
using System.Management.Automation.Runspaces;

namespace LandlockPS.Remoting;

/// <summary>
/// Whether the caller waits for its sandbox now: the only time the sandbox may read the caller's
/// terminal or console. At any other time the caller is typing into its own shell, and a read would
/// take keys meant for it. A script block's caller waits from its start to its end
/// (<paramref name="runsToEnd"/>); a session's caller waits only for a command it sent, and only
/// where it waits for that command: in its own shell (<paramref name="home"/>, the runspace that made
/// the session), or inside the session (Enter-PSSession).
/// </summary>
internal sealed class WaitingCaller(SandboxSessionState state, bool runsToEnd, Runspace? home, Func<bool> insideSession)
{
    /// <summary>Throws SandboxHostAccessDenied unless the caller waits for the sandbox now.</summary>
    public void Require(string what)
    {
        // A session's child keeps running between the caller's commands, and can call its host from
        // a thread it left behind.
        if (!(state.RunsCommand?.Invoke() ?? true))
        {
            throw SandboxHost.Denied($"The sandbox may not {what} while no command of yours runs in it: it may only ask while you wait for it.");
        }
        if (runsToEnd || insideSession() || CarriedOutWhereCallerWaits()) return;
        throw SandboxHost.Denied($"The sandbox may not {what} now: only a command you wait for in your own shell may ask (Invoke-Command, Receive-Job, " +
            "a line in Enter-PSSession), not the session itself while a command runs in the background, nor a command sent from another runspace (a thread job, ForEach-Object -Parallel).");
    }

    // PowerShell carries a command's prompt out where the caller waits for the command: on the
    // pipeline of Invoke-Command, or of Receive-Job for one sent with -AsJob, a thread that runs the
    // runspace the pipeline runs in. A call of the session's own host (not a command's) comes at
    // once on a thread pool thread, which runs none, whatever the caller does: also while a command
    // sent with -AsJob runs, the caller back at its own prompt. A command sent from another runspace
    // (a thread job) prompts there, while the caller's own shell is back at its prompt. Inside
    // Enter-PSSession a command's prompt comes on a thread pool thread, but there the caller waits
    // for its line (insideSession).
    private bool CarriedOutWhereCallerWaits() =>
        Runspace.DefaultRunspace is { } running && (home is null || running.InstanceId == home.InstanceId);
}
