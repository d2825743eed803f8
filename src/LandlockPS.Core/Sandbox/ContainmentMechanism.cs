namespace LandlockPS.Core.Sandbox;

/// <summary>What holds every process a sandboxed run starts, so that none outlives the run.</summary>
public enum ContainmentMechanism
{
    /// <summary>
    /// A cgroup v2 of its own, entered before the program's first instruction: cgroup.kill ends
    /// every process in it, including those that left the session or were orphaned.
    /// </summary>
    ControlGroup,

    /// <summary>
    /// The child's process group (where no writable cgroup v2 exists): processes that leave it
    /// (setsid, setpgid) are not ended with the run.
    /// </summary>
    ProcessGroup,
}
