using System;
using System.IO;
using System.Linq;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;
using LandlockPS.Core.Sandbox;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// A home lies in a folder other sandboxes may write: whatever they plant or swap there, the
/// caller acts only on the folder it made, and the child's rule attaches to that folder.
/// </summary>
[Collection(TempFolderCollection.Name)]
public class ScratchHomeTests
{
    [Fact]
    public void TheChildsRuleFollowsTheHomeItWasMadeForNotItsPath()
    {
        using var tree = new TempTree();
        string victim = tree.Dir("victim");
        using var scope = new TempFolderScope(tree.Dir("tmp"));
        using ScratchHome home = ScratchHome.Create();
        // Swapped by another sandbox after it was made: moved away, its name now a link to the victim.
        string moved = home.Path + ".moved";
        Directory.Move(home.Path, moved);
        Directory.CreateSymbolicLink(home.Path, victim);

        LandlockRuleset rs = SandboxHarness.SystemRuleset(LandlockAbi.V7);
        var info = new SandboxStartInfo("/bin/sh")
        {
            Arguments = ["-c", $"(echo x > '{home.Path}/by-path') 2>/dev/null && echo written || echo denied; echo x > '{moved}/real' && echo written"],
            Environment = SandboxHarness.Env,
            HeldPathRules = [home.Rule(LandlockAccessFs.ReadWrite & rs.HandledAccessFs)],
        };
        SandboxHarness.Result result = SandboxHarness.Run(rs, info);

        Assert.Equal(["denied", "written"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(Directory.GetFileSystemEntries(victim));
        Assert.True(File.Exists(Path.Combine(moved, "real")));
    }

    [Fact]
    public void FoldersAreMadeNewAndALinkPlantedInTheWayFailsTheCall()
    {
        using var tree = new TempTree();
        string victim = tree.Dir("victim");
        using var scope = new TempFolderScope(tree.Dir("tmp"));
        using ScratchHome home = ScratchHome.Create();
        Directory.CreateSymbolicLink(Path.Combine(home.Path, ".cache"), victim);
        File.CreateSymbolicLink(Path.Combine(home.Path, "file"), Path.Combine(victim, "created"));

        var made = Assert.Throws<LandlockException>(() => home.CreateFolders(".cache", "powershell"));
        Assert.Equal(Errno.EEXIST, made.Errno);
        Assert.Throws<LandlockException>(() => home.Folder.WriteNewFile("file", "x"u8));

        Assert.Empty(Directory.GetFileSystemEntries(victim));
    }

    [Fact]
    public void RemovalTakesOnlyWhatIsInsideAndLeavesAHomeSwappedForALink()
    {
        using var tree = new TempTree();
        string victim = tree.Dir("victim");
        string keep = tree.File("victim/keep", "keep");
        using var scope = new TempFolderScope(tree.Dir("tmp"));
        ScratchHome home = ScratchHome.Create();
        using (SafeDirectoryHandle sub = home.CreateFolders("a", "b")) sub.WriteNewFile("f", "x"u8);
        Directory.CreateSymbolicLink(Path.Combine(home.Path, "a", "escape"), victim);
        string name = home.Path;
        Directory.Move(name, name + ".moved");
        Directory.CreateSymbolicLink(name, victim);

        home.Dispose();

        Assert.True(File.Exists(keep));
        Assert.Empty(Directory.GetFileSystemEntries(name + ".moved"));
        Assert.True(Directory.Exists(name), "a link that replaced the home is not the caller's to remove");
    }

    [Fact]
    public void TheSweepTakesAbandonedHomesButNeverOneInUse()
    {
        using var tree = new TempTree();
        using var scope = new TempFolderScope(tree.Dir("tmp"));
        using ScratchHome live = ScratchHome.Create();
        // Left by a process that is gone: no lock is held on it and no such pid runs.
        string abandoned = Directory.CreateDirectory(Path.Combine(scope.Folder, "landlockps-home-2147483600-abandoned")).FullName;
        File.WriteAllText(Path.Combine(abandoned, "f"), "x");
        // Named after a gone pid too, but still locked by its maker (a process in another PID namespace, say).
        string locked = live.Path.Replace($"-{Environment.ProcessId}-", "-2147483601-", StringComparison.Ordinal);
        Directory.Move(live.Path, locked);

        ScratchHomes.RemoveAbandoned();

        Assert.False(Directory.Exists(abandoned));
        Assert.True(Directory.Exists(locked));
        Directory.Move(locked, live.Path);
    }
}

public class SystemLibraryFolderTests
{
    [Fact]
    public void OnlyFoldersRootAloneCanChangeCount()
    {
        using var tree = new TempTree();
        string open = tree.Dir("open");
        File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);

        Assert.True(FileOwner.IsRootOnlyFolder("/usr/lib"));
        Assert.False(FileOwner.IsRootOnlyFolder("/tmp"));
        Assert.False(FileOwner.IsRootOnlyFolder(open));
        Assert.False(FileOwner.IsRootOnlyFolder(Path.Combine(open, "missing")));
    }

    [Fact]
    public void TheLoadersFoldersAreSystemFoldersAndOthersAreNot()
    {
        string libc = File.ReadAllLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .First(fields => fields.Length == 6 && fields[5].Contains("/libc.so", StringComparison.Ordinal))[5];
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;

        Assert.True(Core.Dependencies.SystemLibraryFolders.Contains(Path.GetDirectoryName(libc)!));
        Assert.False(Core.Dependencies.SystemLibraryFolders.Contains("/tmp"));
        Assert.False(Core.Dependencies.SystemLibraryFolders.Contains(runtime));
    }
}
