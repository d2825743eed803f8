using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace LandlockPS.Remoting;

/// <summary>
/// The commands of one session that run as background jobs of the caller's own shell
/// (Invoke-Command -AsJob): the caller does not wait for them, it types into its shell meanwhile.
/// The transport sees only commands; PowerShell knows which are jobs, in the job list of the
/// runspace that made the session, where each child job names the session's runspace it runs in.
/// That list is PowerShell's own and not public: where it cannot be read, no command counts as a
/// job, which is how the session behaved before it was looked at.
/// </summary>
internal sealed class SessionJobs(Runspace? home, Guid session)
{
    private static readonly PropertyInfo? JobList =
        typeof(Runspace).Assembly.GetType("System.Management.Automation.Runspaces.LocalRunspace")?
            .GetProperty("JobRepository", BindingFlags.Instance | BindingFlags.NonPublic);

    // A remoting child job's runspace, by the child job's type (PowerShell's own, not public).
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> RunspaceOf = new();

    /// <summary>How many child jobs of the caller's shell run a command in this session now.</summary>
    public int Running()
    {
        if (home is null || JobList?.GetValue(home) is not JobRepository jobs) return 0;
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
