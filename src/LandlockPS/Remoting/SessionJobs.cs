using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace LandlockPS.Remoting;

/// <summary>
/// The commands of one session that the caller's own shell does not wait for: jobs of it
/// (Invoke-Command -AsJob), and commands sent from another runspace of the caller's (a thread job,
/// ForEach-Object -Parallel). The caller types into its shell while they run. The transport sees
/// only commands. Which runspace sent one it learns as PowerShell sends it, on that runspace's
/// pipeline thread; which are jobs, from the job list of the shell's runspace, where each child job
/// names the session's runspace it runs in. That list is PowerShell's own and not public: where it
/// cannot be read, no command counts as a job, which is how the session behaved before it was looked at.
/// </summary>
internal sealed class SessionJobs(Runspace? home, Guid session)
{
    private static readonly PropertyInfo? JobList =
        typeof(Runspace).Assembly.GetType("System.Management.Automation.Runspaces.LocalRunspace")?
            .GetProperty("JobRepository", BindingFlags.Instance | BindingFlags.NonPublic);

    // A remoting child job's runspace, by the child job's type (PowerShell's own, not public).
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> RunspaceOf = new();

    private readonly HashSet<Guid> _sentElsewhere = [];

    /// <summary>Notes a command as PowerShell sends it, on the sending thread.</summary>
    public void Sent(Guid command)
    {
        // A local runspace other than the shell's: a remote one is Enter-PSSession's, whose lines the caller waits for.
        if (home is null || Runspace.DefaultRunspace is not { ConnectionInfo: null } sender || sender.InstanceId == home.InstanceId) return;
        lock (_sentElsewhere) _sentElsewhere.Add(command);
    }

    /// <summary>How many of the commands <paramref name="isRunning"/> says run the caller's shell does not wait for.</summary>
    public int Running(Func<Guid, bool> isRunning)
    {
        int elsewhere;
        lock (_sentElsewhere)
        {
            _sentElsewhere.RemoveWhere(command => !isRunning(command));
            elsewhere = _sentElsewhere.Count;
        }
        return elsewhere + RunningJobs();
    }

    private int RunningJobs()
    {
        // Only a local runspace has the list (a shell hosted otherwise may have none).
        if (home is null || JobList is null || !JobList.DeclaringType!.IsInstanceOfType(home) || JobList.GetValue(home) is not JobRepository jobs) return 0;
        return jobs.Jobs.SelectMany(job => job.ChildJobs).Count(RunsHere);
    }

    // Started and not finished: Running, and also Blocked (its command asked the caller something,
    // which Receive-Job answers), Stopping, AtBreakpoint, Suspending, Suspended, Disconnected. The
    // caller waits for none of them: its command stays open in the session all the while.
    private bool RunsHere(Job child) =>
        child.JobStateInfo.State is not (JobState.NotStarted or JobState.Completed or JobState.Failed or JobState.Stopped)
        && RunspaceOf.GetOrAdd(child.GetType(), type => type.GetProperty("Runspace", typeof(Runspace)))?.GetValue(child) is Runspace runspace
        && runspace.InstanceId == session;
}
