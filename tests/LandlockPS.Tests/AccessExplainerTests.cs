using System.IO;
using System.Linq;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// The explainer's reasoning on made-up inodes (no file system), then its look-ups on a real tree.
/// Whether the reasoning matches the kernel is tested against confined children in Test-LandlockAccess.Tests.ps1.
/// </summary>
public class AccessExplainerTests
{
    // A made-up tree: / (1) > data (2) > sub (3) > file.txt (4); / > other (5).
    private static readonly InodeId Root = new(1, 1), Data = new(1, 2), Sub = new(1, 3), File = new(1, 4), Other = new(1, 5);
    private static readonly InodeWalk SubWalk = new("/data/sub", [Sub, Data, Root]);
    private static readonly AccessTarget FileTarget =
        new("/data/sub/file.txt", "/data/sub/file.txt", LandlockPathType.File, new InodeWalk("/data/sub/file.txt", [File, Sub, Data, Root]), SubWalk, []);

    private static RuleAnchor Anchor(string path, LandlockAccessFs access, InodeId inode, bool isDirectory = true) =>
        new(new LandlockPathRule(path, access), inode, isDirectory, path);

    private static LandlockAccessExplanation Judge(LandlockRuleset ruleset, LandlockAccessFs requested, AccessTarget? target = null,
        LandlockAbi? kernel = LandlockAbi.V7, params RuleAnchor[] anchors) =>
        AccessExplainer.Judge(ruleset, kernel, anchors, target ?? FileTarget, "file.txt", requested);

    private static LandlockRightVerdict Only(LandlockAccessExplanation explanation) => Assert.Single(explanation.Rights);

    [Fact]
    public void RulesMetWalkingUpAddUp()
    {
        LandlockAccessExplanation e = Judge(new LandlockRuleset(LandlockAbi.V7), LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile,
            anchors: [Anchor("/data", LandlockAccessFs.ReadFile, Data), Anchor("/data/sub", LandlockAccessFs.WriteFile, Sub)]);
        Assert.True(e.Allowed);
        // Rights come in bit order: WriteFile before ReadFile.
        Assert.Equal(["/data/sub"], e.Rights[0].GrantedBy.Select(r => r.Path));
        Assert.Equal(["/data"], e.Rights[1].GrantedBy.Select(r => r.Path));
        Assert.All(e.Rights, r => Assert.Equal("/data/sub/file.txt", r.JudgedOn));
        Assert.Empty(e.Fixes);
    }

    [Fact]
    public void ARuleOffTheWalkGrantsNothing()
    {
        LandlockAccessExplanation e = Judge(new LandlockRuleset(LandlockAbi.V7), LandlockAccessFs.ReadFile,
            anchors: [Anchor("/other", LandlockAccessFs.ReadExecute, Other)]);
        Assert.False(e.Allowed);
        Assert.Equal(LandlockAccessFs.ReadFile, e.DeniedAccess);
        Assert.Contains("No rule on /data/sub/file.txt", Only(e).Reason);
        Assert.Equal([new LandlockAccessFix(LandlockAccessFs.ReadFile, "/data/sub/file.txt")], e.Fixes);
        Assert.Equal("Add-LandlockPathRule -Ruleset $ruleset -LiteralPath '/data/sub/file.txt' -Access ReadFile", AccessFixText.Suggestion(e));
        Assert.EndsWith("Fix: allow ReadFile on '/data/sub/file.txt'", e.Explain());
    }

    [Fact]
    public void EntryRightsAreJudgedOnTheDirectoryThatHoldsTheEntry()
    {
        // The file's own rule cannot grant removing it, however it was written: the kernel checks the directory.
        LandlockAccessExplanation e = Judge(new LandlockRuleset(LandlockAbi.V7), LandlockAccessFs.RemoveFile | LandlockAccessFs.ReadFile,
            anchors: [Anchor("/data/sub/file.txt", LandlockAccessFs.ReadWrite, File, isDirectory: false)]);
        LandlockRightVerdict remove = e.Rights.Single(r => r.Right == LandlockAccessFs.RemoveFile);
        Assert.Equal(LandlockAccessVerdict.Denied, remove.Verdict);
        Assert.Equal("/data/sub", remove.JudgedOn);
        Assert.Equal(LandlockAccessVerdict.Allowed, e.Rights.Single(r => r.Right == LandlockAccessFs.ReadFile).Verdict);
        Assert.Equal("Add-LandlockPathRule -Ruleset $ruleset -LiteralPath '/data/sub' -Access RemoveFile", AccessFixText.Suggestion(e));
    }

    [Fact]
    public void AFileRuleGrantsOnlyWhatAppliesToFiles()
    {
        var anchor = Anchor("/data/sub/file.txt", LandlockAccessFs.ReadWriteExecute, File, isDirectory: false);
        Assert.Equal(AccessGroups.FileApplicable & AbiFeatures.Of(LandlockAbi.V7).AccessFs, anchor.Grants(AbiFeatures.Of(LandlockAbi.V7).AccessFs));
    }

    [Fact]
    public void ASymlinkIsJudgedWhereItLeadsButRemovedWhereItIs()
    {
        var link = new AccessTarget("/data/sub/link", "/other/secret", LandlockPathType.File,
            new InodeWalk("/other/secret", [new InodeId(1, 6), Other, Root]), SubWalk, []);
        LandlockAccessExplanation e = Judge(new LandlockRuleset(LandlockAbi.V7), LandlockAccessFs.ReadFile | LandlockAccessFs.RemoveFile, link,
            anchors: [Anchor("/data", LandlockAccessFs.ReadWrite, Data)]);
        Assert.Equal(LandlockAccessFs.ReadFile, e.DeniedAccess);
        Assert.Equal("/other/secret", e.Rights[0].JudgedOn);
    }

    [Fact]
    public void UnhandledRightsAreNeverRestricted()
    {
        var ruleset = new LandlockRuleset(LandlockAbi.V7, handledAccessFs: LandlockAccessFs.ReadFile);
        LandlockAccessExplanation e = Judge(ruleset, LandlockAccessFs.Truncate | LandlockAccessFs.ReadFile);
        Assert.Equal(LandlockAccessFs.Truncate, e.UnhandledAccess);
        Assert.Equal(LandlockAccessFs.ReadFile, e.DeniedAccess);
    }

    [Fact]
    public void ReferIsDeniedWhenNotHandledByARulesetThatHandlesAnyFilesystemRight()
    {
        LandlockAccessExplanation v1 = Judge(new LandlockRuleset(LandlockAbi.V1), LandlockAccessFs.Refer,
            anchors: [Anchor("/", LandlockAccessFs.ReadWriteExecute & AbiFeatures.Of(LandlockAbi.V1).AccessFs, Root)]);
        Assert.Equal(LandlockAccessVerdict.Denied, Only(v1).Verdict);
        Assert.True(v1.Fixes.Single().HandleFirst);
        Assert.StartsWith("Handle Refer", AccessFixText.Suggestion(v1));

        var netOnly = new LandlockRuleset(LandlockAbi.V7, handledAccessFs: LandlockAccessFs.None);
        Assert.Equal(LandlockAccessVerdict.Unhandled, Only(Judge(netOnly, LandlockAccessFs.Refer)).Verdict);
    }

    [Fact]
    public void RightsTheKernelCannotEnforceAreNotEnforced()
    {
        LandlockRightVerdict older = Only(Judge(new LandlockRuleset(LandlockAbi.V7), LandlockAccessFs.Truncate, kernel: LandlockAbi.V2));
        Assert.Equal(LandlockAccessVerdict.NotEnforced, older.Verdict);
        Assert.Contains("needs V3", older.Reason);

        LandlockRightVerdict none = Only(Judge(new LandlockRuleset(LandlockAbi.V7), LandlockAccessFs.ReadFile, kernel: null));
        Assert.Equal(LandlockAccessVerdict.NotEnforced, none.Verdict);
    }

    [Theory]
    [InlineData(LandlockAccessFs.ReadDir, LandlockPathType.File, true)]
    [InlineData(LandlockAccessFs.ReadDir, LandlockPathType.Directory, false)]
    [InlineData(LandlockAccessFs.ReadDir, LandlockPathType.Missing, false)]
    [InlineData(LandlockAccessFs.ReadFile, LandlockPathType.Directory, true)]
    [InlineData(LandlockAccessFs.Execute, LandlockPathType.Directory, true)]
    [InlineData(LandlockAccessFs.RemoveDir, LandlockPathType.File, true)]
    [InlineData(LandlockAccessFs.RemoveFile, LandlockPathType.Directory, true)]
    [InlineData(LandlockAccessFs.RemoveFile, LandlockPathType.Other, false)]
    [InlineData(LandlockAccessFs.IoctlDev, LandlockPathType.File, true)]
    [InlineData(LandlockAccessFs.IoctlDev, LandlockPathType.Device, false)]
    [InlineData(LandlockAccessFs.ResolveUnix, LandlockPathType.Socket, false)]
    [InlineData(LandlockAccessFs.MakeReg, LandlockPathType.Directory, false)]
    public void SomeRightsNeverConcernSomeObjects(LandlockAccessFs right, LandlockPathType type, bool notApplicable)
    {
        Assert.Equal(notApplicable, RightPlacement.NotApplicableReason(right, type) is not null);
    }

    [Fact]
    public void EntryRightsAreTheDirectoryOnlyRightsButReadDir()
    {
        Assert.Equal(
            LandlockAccessFs.RemoveDir | LandlockAccessFs.RemoveFile | LandlockAccessFs.MakeChar | LandlockAccessFs.MakeDir |
            LandlockAccessFs.MakeReg | LandlockAccessFs.MakeSock | LandlockAccessFs.MakeFifo | LandlockAccessFs.MakeBlock |
            LandlockAccessFs.MakeSym | LandlockAccessFs.Refer,
            RightPlacement.EntryRights);
    }

    [Fact]
    public void SuggestionsQuotePathsForPowerShell()
    {
        var odd = new AccessTarget("/it's", "/it's", LandlockPathType.File, new InodeWalk("/it's", [File, Root]), new InodeWalk("/", [Root]), []);
        Assert.Contains("-LiteralPath '/it''s'", AccessFixText.Suggestion(Judge(new LandlockRuleset(LandlockAbi.V7), LandlockAccessFs.ReadFile, odd)));
    }

    [Fact]
    public void GroupsStandForTheirRightsInTheRulesetsAbi()
    {
        var v2 = new LandlockRuleset(LandlockAbi.V2);
        Assert.Equal(AbiFeatures.Of(LandlockAbi.V2).AccessFs & ~LandlockAccessFs.Execute, AccessExplainer.ResolveRequested(v2, [LandlockAccessFs.ReadWrite]));
        Assert.Equal(LandlockAccessFs.Truncate, AccessExplainer.ResolveRequested(v2, [LandlockAccessFs.Truncate]));
        var e = Assert.Throws<LandlockAccessException>(() => AccessExplainer.ResolveRequested(v2, [LandlockAccessFs.None]));
        Assert.Equal("AccessNotApplicable", e.ErrorId);
    }

    [Fact]
    public void LooksUpLinksMissingPathsAndHardLinksOnARealTree()
    {
        using var tree = new TempTree();
        string data = tree.Dir("data");
        string file = tree.File("data/file.txt");
        string link = Path.Combine(tree.Root, "link");
        System.IO.File.CreateSymbolicLink(link, file);
        string hard = Path.Combine(tree.Root, "hard");
        Assert.Equal(0, Link(file, hard));

        AccessTarget viaLink = AccessTarget.Inspect(link);
        Assert.Equal(file, viaLink.RealPath);
        Assert.Equal(data, viaLink.Entry.RealPath);
        Assert.Equal(tree.Root, viaLink.LinkEntry?.RealPath);
        Assert.Contains(viaLink.Notes, n => n.Contains("symbolic links"));

        // ".." after a link goes to the parent of the link's target, as in the kernel's walk.
        System.IO.File.CreateSymbolicLink(Path.Combine(tree.Root, "to-sub"), tree.Dir("data/sub"));
        Assert.Equal(file, AccessTarget.Inspect(Path.Combine(tree.Root, "to-sub/../file.txt")).RealPath);

        AccessTarget missing = AccessTarget.Inspect(Path.Combine(data, "no/such/file"));
        Assert.Equal(LandlockPathType.Missing, missing.Type);
        Assert.Equal(data, missing.Entry.RealPath);
        Assert.Same(missing.Entry, missing.Object);

        // A rule attaches to an inode: a rule on one name of a file covers its other hard links, as in the kernel.
        var ruleset = new LandlockRuleset(LandlockAbi.V7);
        ruleset.AddPathRule(file, LandlockAccessFs.ReadFile);
        LandlockAccessExplanation e = AccessExplainer.Explain(ruleset, hard, hard, LandlockAccessFs.ReadFile, KernelFacts.Support);
        Assert.True(e.Allowed);

        // A rule made through a symlink attaches to the target, and the reason says so.
        string dataLink = Path.Combine(tree.Root, "data-link");
        System.IO.File.CreateSymbolicLink(dataLink, data);
        var viaDataLink = new LandlockRuleset(LandlockAbi.V7);
        viaDataLink.AddPathRule(dataLink, LandlockAccessFs.ReadFile);
        LandlockRightVerdict read = Assert.Single(AccessExplainer.Explain(viaDataLink, file, file, LandlockAccessFs.ReadFile, KernelFacts.Support).Rights);
        Assert.Equal(LandlockAccessVerdict.Allowed, read.Verdict);
        Assert.Contains($"ReadFile on {dataLink} (attached to {data})", read.Reason);
    }

    [Fact]
    public void ADanglingSymlinkIsCreatedAtItsTargetButRemovedWhereItIs()
    {
        using var tree = new TempTree();
        string data = tree.Dir("data");
        string other = tree.Dir("other");
        // A chain of relative links, each read against its own directory.
        string link = Path.Combine(data, "link");
        System.IO.File.CreateSymbolicLink(link, "hop");
        System.IO.File.CreateSymbolicLink(Path.Combine(data, "hop"), "../other/new.txt");

        AccessTarget target = AccessTarget.Inspect(link);
        Assert.Equal(LandlockPathType.Missing, target.Type);
        Assert.Equal(Path.Combine(other, "new.txt"), target.RealPath);
        Assert.Equal(other, target.Entry.RealPath);
        Assert.Equal(data, target.LinkEntry?.RealPath);

        var ruleset = new LandlockRuleset(LandlockAbi.V7);
        ruleset.AddPathRule(data, LandlockAccessFs.MakeReg | LandlockAccessFs.WriteFile | LandlockAccessFs.RemoveFile);
        LandlockAccessExplanation e = AccessExplainer.Explain(ruleset, link, link,
            LandlockAccessFs.MakeReg | LandlockAccessFs.WriteFile | LandlockAccessFs.RemoveFile | LandlockAccessFs.RemoveDir, KernelFacts.Support);
        Assert.Equal(LandlockAccessFs.MakeReg | LandlockAccessFs.WriteFile, e.DeniedAccess);
        LandlockRightVerdict remove = e.Rights.Single(r => r.Right == LandlockAccessFs.RemoveFile);
        Assert.Equal((LandlockAccessVerdict.Allowed, data), (remove.Verdict, remove.JudgedOn));
        // The link is no directory, whatever it points to.
        Assert.Equal(LandlockAccessVerdict.NotApplicable, e.Rights.Single(r => r.Right == LandlockAccessFs.RemoveDir).Verdict);
    }

    [Fact]
    public void ASymlinkLoopOrANameTooLongSaysSo()
    {
        using var tree = new TempTree();
        string loop = Path.Combine(tree.Root, "loop");
        System.IO.File.CreateSymbolicLink(loop, "loop");
        Assert.Contains("too many levels of symbolic links", Assert.Throws<LandlockException>(() => AccessTarget.Inspect(loop)).Message);
        string tooLong = Path.Combine(tree.Root, new string('n', 300));
        Assert.Contains("too long", Assert.Throws<LandlockException>(() => AccessTarget.Inspect(tooLong)).Message);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link")]
    private static extern int Link(string oldPath, string newPath);
}
