using System.IO;
using LandlockPS.Core.Landlock;
using Xunit;
using static LandlockPS.Tests.SandboxHarness;

namespace LandlockPS.Tests;

/// <summary>
/// Every denied filesystem case runs next to its allowed twin: the same child, the same command,
/// one more right. A broken child that fails everything fails the twin.
/// </summary>
public class FileSystemConfinementTests
{
    private static LandlockRuleset With(string path, LandlockAccessFs access)
    {
        LandlockRuleset rs = SystemRuleset();
        rs.AddPathRule(path, access);
        return rs;
    }

    [Fact]
    public void ReadingOutsideTheRulesIsDenied()
    {
        using var t = new TempTree();
        string secret = t.File("box/secret.txt");
        var denied = Run(SystemRuleset(), "/bin/cat", secret);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("Permission denied", denied.Stderr);
        Assert.Equal(string.Empty, denied.Stdout);

        var allowed = Run(With(t.Root, LandlockAccessFs.ReadFile), "/bin/cat", secret);
        Assert.Equal(0, allowed.ExitCode);
        Assert.Equal("secret\n", allowed.Stdout);
    }

    [Fact]
    public void AFileRuleDoesNotOpenItsSiblings()
    {
        using var t = new TempTree();
        string granted = t.File("box/granted.txt", "ok\n");
        string sibling = t.File("box/sibling.txt");
        LandlockRuleset rs = With(granted, LandlockAccessFs.ReadFile);
        Assert.Equal("ok\n", Run(rs, "/bin/cat", granted).Stdout);
        Assert.Contains("Permission denied", Run(rs, "/bin/cat", sibling).Stderr);
    }

    [Fact]
    public void ListingADeniedDirectoryIsDenied()
    {
        using var t = new TempTree();
        t.File("box/a.txt");
        string box = Path.Combine(t.Root, "box");
        var denied = Run(With(box, LandlockAccessFs.ReadFile), "/bin/ls", box);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("Permission denied", denied.Stderr);

        var allowed = Run(With(box, LandlockAccessFs.ReadOnly), "/bin/ls", box);
        Assert.Equal(0, allowed.ExitCode);
        Assert.Equal("a.txt\n", allowed.Stdout);
    }

    [Fact]
    public void CreatingAndWritingNeedTheirRights()
    {
        using var t = new TempTree();
        string box = t.Dir("box");
        string target = Path.Combine(box, "new.txt");
        var denied = Sh(With(box, LandlockAccessFs.ReadOnly), $"echo data > {target}");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.False(File.Exists(target));

        var allowed = Sh(With(box, LandlockAccessFs.ReadOnly | LandlockAccessFs.MakeReg | LandlockAccessFs.WriteFile), $"echo data > {target}");
        Assert.Equal(0, allowed.ExitCode);
        Assert.Equal("data\n", File.ReadAllText(target));
    }

    [Fact]
    public void WritingAnExistingFileNeedsWriteFile()
    {
        using var t = new TempTree();
        string file = t.File("box/f.txt", "before\n");
        Assert.NotEqual(0, Sh(With(file, LandlockAccessFs.ReadFile), $"echo after >> {file}").ExitCode);
        Assert.Equal("before\n", File.ReadAllText(file));
        Assert.Equal(0, Sh(With(file, LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile), $"echo after >> {file}").ExitCode);
        Assert.Equal("before\nafter\n", File.ReadAllText(file));
    }

    [Fact]
    public void DeletingNeedsRemoveFile()
    {
        using var t = new TempTree();
        string file = t.File("box/victim.txt");
        string box = Path.GetDirectoryName(file)!;
        Assert.NotEqual(0, Run(With(box, LandlockAccessFs.ReadWrite & ~LandlockAccessFs.RemoveFile), "/bin/rm", "-f", file).ExitCode);
        Assert.True(File.Exists(file));
        Assert.Equal(0, Run(With(box, LandlockAccessFs.ReadWrite), "/bin/rm", "-f", file).ExitCode);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void DeletingADirectoryNeedsRemoveDir()
    {
        using var t = new TempTree();
        string sub = t.Dir("box/sub");
        string box = Path.GetDirectoryName(sub)!;
        Assert.NotEqual(0, Run(With(box, LandlockAccessFs.ReadWrite & ~LandlockAccessFs.RemoveDir), "/bin/rmdir", sub).ExitCode);
        Assert.True(Directory.Exists(sub));
        Assert.Equal(0, Run(With(box, LandlockAccessFs.ReadWrite), "/bin/rmdir", sub).ExitCode);
        Assert.False(Directory.Exists(sub));
    }

    [RequireAbiFact(2)]
    public void RenamingAcrossDirectoriesNeedsRefer()
    {
        using var t = new TempTree();
        string from = t.File("a/f.txt");
        string to = Path.Combine(t.Dir("b"), "f.txt");
        string perl = $"rename(q({from}), q({to})) or die qq(rename: $!\\n)";
        LandlockRuleset noRefer = With(t.Root, LandlockAccessFs.ReadWrite & ~LandlockAccessFs.Refer);
        var denied = Run(noRefer, "/usr/bin/perl", "-e", perl);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("Invalid cross-device link", denied.Stderr); // EXDEV: Landlock's answer to a denied reparenting
        Assert.True(File.Exists(from));

        Assert.Equal(0, Run(With(t.Root, LandlockAccessFs.ReadWrite), "/usr/bin/perl", "-e", perl).ExitCode);
        Assert.True(File.Exists(to));
    }

    [RequireAbiFact(2)]
    public void LinkingAcrossDirectoriesNeedsRefer()
    {
        using var t = new TempTree();
        string from = t.File("a/f.txt");
        string to = Path.Combine(t.Dir("b"), "link.txt");
        var denied = Run(With(t.Root, LandlockAccessFs.ReadWrite & ~LandlockAccessFs.Refer), "/bin/ln", from, to);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.False(File.Exists(to));
        Assert.Equal(0, Run(With(t.Root, LandlockAccessFs.ReadWrite), "/bin/ln", from, to).ExitCode);
        Assert.True(File.Exists(to));
    }

    [RequireAbiFact(3)]
    public void TruncatingNeedsTruncate()
    {
        using var t = new TempTree();
        string file = t.File("box/data.txt", "keep me\n");
        var denied = Run(With(file, LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile), "/usr/bin/truncate", "-s", "0", file);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Equal("keep me\n", File.ReadAllText(file));

        var readOnly = Run(With(file, LandlockAccessFs.ReadFile), "/usr/bin/truncate", "-s", "0", file);
        Assert.NotEqual(0, readOnly.ExitCode);
        Assert.Equal("keep me\n", File.ReadAllText(file));

        Assert.Equal(0, Run(With(file, LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile | LandlockAccessFs.Truncate),
            "/usr/bin/truncate", "-s", "0", file).ExitCode);
        Assert.Equal(0, new FileInfo(file).Length);
    }

    [Fact]
    public void ExecutingAFileThatMayOnlyBeReadIsDenied()
    {
        using var t = new TempTree();
        string tool = Path.Combine(t.Dir("bin"), "mytrue");
        File.Copy("/bin/true", tool);
        string bin = Path.GetDirectoryName(tool)!;

        var denied = Sh(With(bin, LandlockAccessFs.ReadOnly), tool);
        Assert.Equal(126, denied.ExitCode); // the shell's "found but cannot execute"
        Assert.Contains("Permission denied", denied.Stderr);
        Assert.Equal(0, Sh(With(bin, LandlockAccessFs.ReadExecute), tool).ExitCode);
    }

    [Fact]
    public void MakingSymlinksFifosAndDirectoriesNeedTheirRights()
    {
        using var t = new TempTree();
        string box = t.Dir("box");
        string script = $"ln -s /etc {box}/l && mkfifo {box}/p && mkdir {box}/d";
        Assert.NotEqual(0, Sh(With(box, LandlockAccessFs.ReadOnly), script).ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(box));
        Assert.Equal(0, Sh(With(box, LandlockAccessFs.ReadOnly | LandlockAccessFs.MakeSym | LandlockAccessFs.MakeFifo | LandlockAccessFs.MakeDir), script).ExitCode);
        Assert.Equal(3, Directory.GetFileSystemEntries(box).Length);
    }

    [Fact]
    public void ASymlinkDoesNotLeadOutOfAnAllowedTree()
    {
        using var t = new TempTree();
        string secret = t.File("outside/secret.txt");
        string box = t.Dir("box");
        File.CreateSymbolicLink(Path.Combine(box, "escape"), secret);
        LandlockRuleset rs = With(box, LandlockAccessFs.ReadOnly);
        Assert.Contains("Permission denied", Run(rs, "/bin/cat", Path.Combine(box, "escape")).Stderr);
        rs.AddPathRule(Path.GetDirectoryName(secret)!, LandlockAccessFs.ReadFile);
        Assert.Equal("secret\n", Run(rs, "/bin/cat", Path.Combine(box, "escape")).Stdout);
    }

    [Fact]
    public void UnhandledRightsAreNotRestricted()
    {
        using var t = new TempTree();
        string file = t.File("box/f.txt");
        // Handles only WriteFile: reading anything stays allowed, writing is denied.
        var rs = new LandlockRuleset(handledAccessFs: LandlockAccessFs.WriteFile);
        Assert.Equal("secret\n", Run(rs, "/bin/cat", file).Stdout);
        Assert.NotEqual(0, Sh(rs, $"echo x >> {file}").ExitCode);
    }
}
