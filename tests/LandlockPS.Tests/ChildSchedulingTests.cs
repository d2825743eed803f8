using System;
using System.Collections.Generic;
using System.IO;
using LandlockPS.Core.Sandbox;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// When a child is scheduled apart from its caller, judged on files as the kernel shows them: a
/// machine with autogroups on and the caller in the root cpu group (this one), a container, a
/// systemd unit with CPU weights, and what cannot be read.
/// </summary>
public sealed class ChildSchedulingTests
{
    private const string Autogroups = "/proc/sys/kernel/sched_autogroup_enabled";
    private const string OsType = "/proc/sys/kernel/ostype";
    private const string Memberships = "/proc/self/cgroup";
    private const string Mount = "/sys/fs/cgroup";
    private const string Unit = "/sys/fs/cgroup/system.slice/ci.service";

    // A hybrid machine: cpu on a cgroup v1 hierarchy, the caller at its root, autogroups on.
    private static Dictionary<string, string> Hybrid(string cpuPath = "/") => new()
    {
        [Autogroups] = "1",
        [OsType] = "Linux",
        [Memberships] = $"12:pids:/\n4:cpu,cpuacct:{cpuPath}\n3:cpuset:/\n1:name=systemd:/\n0::/",
        [$"{Mount}/unified/cgroup.subtree_control"] = "",
    };

    // A cgroup v2 machine: the caller in a service below the root, which hands down what it lists.
    private static Dictionary<string, string> Unified(string serviceControllers, string sliceControllers = "memory pids") => new()
    {
        [Autogroups] = "1",
        [OsType] = "Linux",
        [Memberships] = "0::/system.slice/ci.service",
        [$"{Unit}/cgroup.type"] = "domain",
        [$"{Unit}/cgroup.controllers"] = serviceControllers,
        [$"{Unit}/cgroup.subtree_control"] = "",
        [$"{Mount}/system.slice/cgroup.type"] = "domain",
        [$"{Mount}/system.slice/cgroup.controllers"] = sliceControllers,
        [$"{Mount}/cgroup.controllers"] = "cpuset cpu io memory hugetlb pids rdma misc",
    };

    private static bool IsApart(Dictionary<string, string> files, (string MountPoint, string Path)? unified) =>
        ChildScheduling.IsApart(path => files.GetValueOrDefault(path), unified is { } u ? (u.MountPoint, u.Path, CgroupOf(files)) : null);

    // Where the caller was when its hierarchy was found: where /proc/self/cgroup says it is now.
    private static string CgroupOf(Dictionary<string, string> files) =>
        files.TryGetValue(Memberships, out string? lines) && Array.Find(lines.Split('\n'), l => l.StartsWith("0::", StringComparison.Ordinal)) is { } line ? line[3..] : "/";

    [Fact]
    public void WithAutogroupsOnAndTheCallerInTheRootCpuGroupAChildIsApart()
    {
        Assert.True(IsApart(Hybrid(), (Mount + "/unified", Mount + "/unified")));
        Assert.True(IsApart(Unified("memory pids"), (Mount, Unit)));
        Assert.True(IsApart(Unified("io", sliceControllers: "io"), (Mount, Unit)));
        // The caller at the root itself, which lists every controller there is.
        Dictionary<string, string> atRoot = Unified("memory");
        atRoot[Memberships] = "0::/";
        Assert.True(IsApart(atRoot, (Mount, Mount)));
    }

    [Fact]
    public void ACallerInACpuGroupBelowTheRootSharesItWithItsChild()
    {
        Assert.False(IsApart(Hybrid("/docker/3f2a"), null));
        Assert.False(IsApart(Unified("cpu memory pids"), (Mount, Unit)));
        // Handed down to the slice only: the service's tasks are in the slice's group.
        Assert.False(IsApart(Unified("memory", sliceControllers: "cpu memory"), (Mount, Unit)));
    }

    [Fact]
    public void AContainersCgroupNamespaceRootIsACgroupBelowTheRoot()
    {
        var files = new Dictionary<string, string>
        {
            [Autogroups] = "1",
            [Memberships] = "0::/",
            [$"{Mount}/cgroup.type"] = "domain",
            [$"{Mount}/cgroup.controllers"] = "cpuset cpu io memory pids",
        };
        Assert.False(IsApart(files, (Mount, Mount)));
        files[$"{Mount}/cgroup.controllers"] = "memory pids";
        Assert.True(IsApart(files, (Mount, Mount)));
    }

    [Fact]
    public void WithoutAutogroupsAChildIsApartOnlyInACpuGroupOfItsOwn()
    {
        Dictionary<string, string> off = Hybrid();
        off[Autogroups] = "0";
        Assert.False(IsApart(off, (Mount + "/unified", Mount + "/unified")));
        // A kernel built without them has no such setting at all.
        Dictionary<string, string> none = Hybrid();
        none.Remove(Autogroups);
        Assert.False(IsApart(none, null));
        // The caller's cgroup hands the cpu controller to the run's cgroup: a group of its own.
        Dictionary<string, string> handed = Unified("cpu memory");
        handed[Autogroups] = "0";
        handed[$"{Unit}/cgroup.subtree_control"] = "cpu";
        Assert.True(IsApart(handed, (Mount, Unit)));
    }

    [Fact]
    public void WhatCannotBeReadCountsAsApart()
    {
        // No /proc/sys (a /proc mounted with subset=pid): autogroups may be on.
        Dictionary<string, string> hidden = Hybrid();
        hidden.Remove(Autogroups);
        hidden.Remove(OsType);
        Assert.True(IsApart(hidden, null));
        Dictionary<string, string> unknown = Hybrid("/docker/3f2a");
        unknown.Remove(Memberships);
        Assert.True(IsApart(unknown, null));
        Assert.True(IsApart([], null));
        // Unreadable is not missing: a setting that cannot be read may be on.
        Dictionary<string, string> denied = Hybrid("/docker/3f2a");
        denied[Memberships] = "4:cpu,cpuacct:/\n0::/";
        Assert.True(ChildScheduling.IsApart(path => path == Autogroups ? throw new UnauthorizedAccessException(path) : denied.GetValueOrDefault(path), null));
    }

    [Fact]
    public void APathOutsideTheCgroupNamespaceSaysNothingOfTheRoot()
    {
        // Entered into another cgroup namespace from the root cpu group: the path climbs out of it.
        Assert.True(IsApart(Hybrid("/../.."), null));
        Assert.True(IsApart(Hybrid("/../../docker/3f2a"), null));
    }

    [Fact]
    public void ACallerMovedSinceItsCgroupWasFoundIsApart()
    {
        // Runs are made where the caller was (a cpu group below the root); it is at the root now.
        Dictionary<string, string> moved = Unified("cpu memory pids");
        Assert.False(ChildScheduling.IsApart(path => moved.GetValueOrDefault(path), (Mount, Unit, "/system.slice/ci.service")));
        moved[Memberships] = "0::/";
        Assert.True(ChildScheduling.IsApart(path => moved.GetValueOrDefault(path), (Mount, Unit, "/system.slice/ci.service")));
    }

    [Fact]
    public void ABpfSchedulerGroupsAsItLikes()
    {
        Dictionary<string, string> extended = Hybrid("/docker/3f2a");
        Assert.False(IsApart(extended, null));
        extended["/sys/kernel/sched_ext/state"] = "enabled";
        Assert.True(IsApart(extended, null));
        extended["/sys/kernel/sched_ext/state"] = "disabled";
        Assert.False(IsApart(extended, null));
    }

    [Fact]
    public void OnlyTheCpuControllerItselfCounts()
    {
        Dictionary<string, string> cpuset = Hybrid();
        cpuset[Memberships] = "4:cpuset:/docker/3f2a\n5:cpuacct:/docker/3f2a\n0::/";
        Assert.True(IsApart(cpuset, null));
        Assert.True(IsApart(Unified("cpuset memory"), (Mount, Unit)));
    }
}
