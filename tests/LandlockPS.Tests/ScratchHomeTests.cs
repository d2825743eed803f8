using System;
using System.IO;
using System.Linq;
using System.Threading;
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
    public void TheSweepTakesAbandonedHomesAndEmptyUnmarkedOnesButNeverOneInUseNorAFolderNamedLikeOne()
    {
        using var tree = new TempTree();
        using var scope = new TempFolderScope(tree.Dir("tmp"));
        using ScratchHome live = ScratchHome.Create();
        // Left by a process that is gone: no lock is held on it and no such pid runs.
        ScratchHome left = ScratchHome.Create();
        string abandoned = Path.Combine(scope.Homes, "landlockps-home-2147483600-abandoned");
        Directory.Move(left.Path, abandoned);
        File.WriteAllText(Path.Combine(abandoned, "f"), "x");
        ScratchHomes.Remove(left);
        left.Folder.Dispose();
        // Named after a gone pid too, but still locked by its maker (a process in another PID namespace, say).
        string locked = live.Path.Replace($"-{Environment.ProcessId}-", "-2147483601-", StringComparison.Ordinal);
        Directory.Move(live.Path, locked);
        // Named like a home, but no home: a folder of the caller's a sandbox renamed; and one it
        // marked too, as a home's mark names its folder, but seconds after the folder was made.
        string renamed = Directory.CreateDirectory(Path.Combine(scope.Homes, "landlockps-home-2147483602-renamed")).FullName;
        File.WriteAllText(Path.Combine(renamed, "keep"), "x");
        // Made, never marked: its maker was killed in between. Empty, it goes; the twin named after a live maker stays.
        string unmarked = Directory.CreateDirectory(Path.Combine(scope.Homes, "landlockps-home-2147483604-unmarked")).FullName;
        string making = Directory.CreateDirectory(Path.Combine(scope.Homes, $"landlockps-home-{Environment.ProcessId}-making")).FullName;
        string forged = Directory.CreateDirectory(Path.Combine(scope.Homes, "landlockps-home-2147483603-forged")).FullName;
        File.WriteAllText(Path.Combine(forged, "keep"), "x");
        Thread.Sleep(6000);
        using (SafeDirectoryHandle folder = SafeDirectoryHandle.Open(forged))
        {
            LibC.StatxBuffer status = folder.Status();
            Assert.NotNull(status.BirthTime); // the temp folder's file system records when a file was made
            File.WriteAllText(Path.Combine(forged, ".landlockps-home"), $"LandlockPS home {status.DevMajor}:{status.DevMinor}:{status.Inode}\n");
        }

        ScratchHomes.RemoveAbandoned();

        Assert.False(Directory.Exists(abandoned));
        Assert.False(Directory.Exists(unmarked));
        Assert.True(Directory.Exists(making));
        Assert.True(Directory.Exists(locked));
        Assert.True(File.Exists(Path.Combine(renamed, "keep")));
        Assert.True(File.Exists(Path.Combine(forged, "keep")));
        Directory.Move(locked, live.Path);
    }

    [Fact]
    public void ATempFolderThatDoesNotExistIsNamedAsSuch()
    {
        using var tree = new TempTree();
        string missing = Path.Combine(tree.Dir("tmp"), "gone");
        using var scope = new TempFolderScope(missing);
        LandlockException e = Assert.Throws<LandlockException>(() => ScratchHome.Create().Dispose());
        Assert.Equal("ScratchHomeFailed", e.ErrorId);
        Assert.Equal(Errno.ENOENT, e.Errno);
        // Not "remove it if it is not yours": there is nothing to remove.
        Assert.Equal(
            $"Could not use {Path.Combine(missing, $"landlockps-{ProcessApi.GetEuid()}")}, where LandlockPS makes the private homes of sandboxed pwsh children: " +
            $"the folder it is made in, {missing}, does not exist. Set TMPDIR (or XDG_RUNTIME_DIR) to a folder that exists and only you can write.",
            e.Message);
    }

    [Fact]
    public void HomesAreMadeInTheSessionsRuntimeFolderWhenItIsPrivate()
    {
        using var tree = new TempTree();
        using var scope = new TempFolderScope(tree.Dir("tmp"));
        string runtime = tree.Dir("run");
        try
        {
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", runtime);
            File.SetUnixFileMode(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using (ScratchHome home = ScratchHome.Create()) Assert.Equal(Path.Combine(runtime, "landlockps"), Path.GetDirectoryName(home.Path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(runtime, "landlockps")));
            // Not a login session's: others may use it.
            File.SetUnixFileMode(runtime, File.GetUnixFileMode(runtime) | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            Assert.Equal(Path.Combine(scope.Folder, $"landlockps-{ProcessApi.GetEuid()}"), HomeRoot.Path);
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", null);
        }
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
