using LandlockPS.Core.Sandbox;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// Where this process's cgroup v2 directory is, from a line of mountinfo and the path
/// /proc/self/cgroup gives: both relative to the process's cgroup namespace.
/// </summary>
public sealed class ControlGroupLocationTests
{
    private const string Hybrid = "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw";
    private const string Unified = "30 1 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate";

    [Fact]
    public void ACgroupIsTheFolderOfItsPathBelowTheMount()
    {
        Assert.Equal(("/sys/fs/cgroup/unified", "/sys/fs/cgroup/unified", 40UL), ControlGroupHierarchy.MountedAt(Hybrid, "/"));
        Assert.Equal(("/sys/fs/cgroup", "/sys/fs/cgroup/user.slice/user-0.slice/session-1.scope", 30UL),
            ControlGroupHierarchy.MountedAt(Unified, "/user.slice/user-0.slice/session-1.scope"));
        // A mount of a subtree (a container's) shows the cgroups below its root.
        Assert.Equal(("/sys/fs/cgroup", "/sys/fs/cgroup/app", 50UL),
            ControlGroupHierarchy.MountedAt("50 40 0:26 /docker/3f2a /sys/fs/cgroup rw - cgroup2 cgroup2 rw", "/docker/3f2a/app"));
        Assert.Null(ControlGroupHierarchy.MountedAt("50 40 0:26 /docker/3f2a /sys/fs/cgroup rw - cgroup2 cgroup2 rw", "/docker/3f2b"));
        Assert.Null(ControlGroupHierarchy.MountedAt("41 30 0:38 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu", "/"));
    }

    [Fact]
    public void APathOutsideTheCgroupNamespaceNeverClimbsOutOfTheMount()
    {
        // unshare -C, then moved to a sibling: the mount, made outside the namespace, has its root at /..
        Assert.Equal(("/sys/fs/cgroup/unified", "/sys/fs/cgroup/unified/llps-b", 40UL),
            ControlGroupHierarchy.MountedAt("40 30 0:37 /.. /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw", "/../llps-b"));
        // A mount made inside the namespace (a container's), the process outside it (nsenter -C from elsewhere):
        // /sys/fs/cgroup/../user.slice would be /sys/fs/user.slice.
        Assert.Null(ControlGroupHierarchy.MountedAt(Unified, "/../user.slice"));
        Assert.Null(ControlGroupHierarchy.MountedAt(Unified, "/../../../../tmp"));
        // The kernel always starts the path with /: anything else would name a sibling of the mount.
        Assert.Null(ControlGroupHierarchy.MountedAt(Unified, "unifiedfoo"));
    }
}
