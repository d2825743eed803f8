using System.Runtime.InteropServices;
using System.Threading;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// A run held by the child's process group alone, where no writable cgroup v2 exists: a process
/// that leaves the group (setsid, setpgid) is neither killed nor waited for.
/// </summary>
internal sealed class ProcessGroupTree(string reason) : ProcessTree(reason)
{
    public override ContainmentMechanism Mechanism => ContainmentMechanism.ProcessGroup;

    public override void KillAll() => Signal(ProcessApi.SIGKILL);

    // Gone once the child is reaped and nothing is left in its group (no child at all: a launch
    // that failed). While any member lives, the group id cannot be handed to a new process, so an
    // empty answer is about this group.
    protected override bool IsGone =>
        ChildPid == 0 || TryReap() && ProcessApi.Kill(-ChildPid, 0) != 0 && Marshal.GetLastPInvokeError() == Errno.ESRCH;

    protected override void WaitForChange(int milliseconds) => Thread.Sleep(System.Math.Min(milliseconds, 10));
}
