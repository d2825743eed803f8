using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LandlockPS.Core.Dependencies;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// A name a sandbox could have chosen (a #! line or a link in a folder others or the ruleset may
/// write) must not earn a rule on a file more private than where it was chosen: a red team swapped
/// a program's interpreter for a link to a private tool and the next run was allowed it.
/// </summary>
public sealed class DependencyTrustTests : IDisposable
{
    private static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" };
    private const UnixFileMode Open = (UnixFileMode)0b111_101_101; // 0755

    // A folder anyone may read, as a shared work folder in /tmp is; and a private one (0700) with a tool in it.
    private readonly TempTree _shared = new();
    private readonly TempTree _private = new();
    private readonly string _privateTool;
    private readonly string _publicTool;

    public DependencyTrustTests()
    {
        File.SetUnixFileMode(_shared.Root, Open);
        _privateTool = Copy("/bin/cat", Path.Combine(_private.Root, "tool"));
        _publicTool = Copy("/bin/cat", Path.Combine(_shared.Dir("tools"), "tool"));
    }

    public void Dispose()
    {
        _shared.Dispose();
        _private.Dispose();
    }

    [Fact]
    public void AnInterpreterLinkInASharedFolderLeadsToNothingPrivate()
    {
        (string program, ProgramDependencies deps) = WithInterpreterLinkTo(_privateTool);
        Assert.DoesNotContain(deps.Files, f => f.Path == _privateTool);
        Assert.Contains(deps.Problems, p => p.StartsWith($"{Path.Combine(_shared.Root, "interp")} (#! interpreter of {program})") && p.Contains($"leads to {_privateTool}"));
        // Left out by the name the #! line gives it, with that problem: a refused launch names it so.
        Assert.Equal(deps.Problems, [deps.LeftOut[Path.Combine(_shared.Root, "interp")]]);
    }

    [Fact]
    public void AnInterpreterLinkInASharedFolderStillLeadsToAToolAnyoneMayRead()
    {
        ProgramDependencies deps = WithInterpreterLinkTo(_publicTool).Dependencies;
        Assert.Contains(deps.Files, f => f.Path == _publicTool);
        Assert.Empty(deps.Problems);
    }

    // A program in the shared folder whose #! interpreter is a link there, as a sandbox could plant it.
    private (string Program, ProgramDependencies Dependencies) WithInterpreterLinkTo(string target)
    {
        string program = Script(_shared, "prog", $"#!{Path.Combine(_shared.Root, "interp")}\n");
        File.CreateSymbolicLink(Path.Combine(_shared.Root, "interp"), target);
        return (program, ProgramDependencies.Resolve(program, Environment));
    }

    [Fact]
    public void AProgramInASharedFolderNamesNothingPrivate()
    {
        // No link at all: the #! line itself could have been written by a sandbox.
        string program = Script(_shared, "prog", $"#!{_privateTool}\n");
        ProgramDependencies deps = ProgramDependencies.Resolve(program, Environment);
        Assert.DoesNotContain(deps.Files, f => f.Path == _privateTool);
        Assert.Contains(deps.Problems, p => p.StartsWith($"{_privateTool} (#! interpreter of {program}) was chosen by way of {program}"));

        string twin = Script(_shared, "twin", $"#!{_publicTool}\n");
        Assert.Contains(ProgramDependencies.Resolve(twin, Environment).Files, f => f.Path == _publicTool);
    }

    [Fact]
    public void AProgramInAPrivateScratchFolderNamesOnlyWhatTheRulesetMayReadAlready()
    {
        // mktemp -d: private, but in /tmp, where anyone may have made it; a sandbox given it may write
        // it too. What it names beside it is not readable by others, so only a ruleset that already
        // lets the sandbox read it gets the rule.
        string program = Script(_private, "prog", $"#!{_privateTool}\n");
        Assert.DoesNotContain(ProgramDependencies.Resolve(program, Environment).Files, f => f.Path == _privateTool);
        LandlockRuleset reader = Ruleset((_private.Root, LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir));
        ProgramDependencies deps = ProgramDependencies.Resolve(program, Environment, reader);
        Assert.Contains(deps.Files, f => f.Path == _privateTool);
        Assert.Empty(deps.Problems);
    }

    [Fact]
    public void ADependencyInASharedFolderIsSwappableAndTheProgramItselfIsNot()
    {
        string program = Script(_shared, "prog", $"#!{_publicTool}\n");
        ProgramDependencies deps = ProgramDependencies.Resolve(program, Environment);
        Assert.False(deps.Files.Single(f => f.Path == program).Swappable);
        Assert.True(deps.Files.Single(f => f.Path == _publicTool).Swappable);
        // The system's loader, as named (/lib64, a link in / on merged-/usr systems) and where it leads: root's folders.
        Assert.All(deps.Files.Where(f => f.Reason.StartsWith("ELF interpreter")), f => Assert.False(f.Swappable, f.Path));
    }

    [RootOnlyFact]
    public void AFileOnlyRootMayWriteIsTrustedUnlessTheRulesetMayWriteIt()
    {
        // Outside /tmp, in a folder only root may change: the caller's own file, so what it names is trusted...
        string folder = Directory.CreateDirectory(Path.Combine("/run", $"llps-trust-{Guid.NewGuid():n}")).FullName;
        try
        {
            string program = Path.Combine(folder, "prog");
            File.WriteAllText(program, $"#!{_privateTool}\n");
            File.SetUnixFileMode(program, Open);
            Assert.True(FileOwner.IsPrivateFolder(folder));
            Assert.Contains(ProgramDependencies.Resolve(program, Environment).Files, f => f.Path == _privateTool);

            // ...and a ruleset writing elsewhere changes nothing...
            LandlockRuleset elsewhere = Ruleset((_shared.Root, LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg));
            Assert.Contains(ProgramDependencies.Resolve(program, Environment, elsewhere).Files, f => f.Path == _privateTool);

            // ...but one that lets the sandbox write that folder could have written the #! line.
            LandlockRuleset writer = Ruleset((folder, LandlockAccessFs.MakeReg | LandlockAccessFs.RemoveFile));
            ProgramDependencies deps = ProgramDependencies.Resolve(program, Environment, writer);
            Assert.DoesNotContain(deps.Files, f => f.Path == _privateTool);
            Assert.Contains(deps.Problems, p => p.Contains("which a sandbox could have written"));

            // A script others may write is not trusted either, whatever its folder.
            File.SetUnixFileMode(program, Open | UnixFileMode.OtherWrite);
            Assert.DoesNotContain(ProgramDependencies.Resolve(program, Environment).Files, f => f.Path == _privateTool);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void RuleReachReachesWhatIsBeneathARuleWithTheRightsOnly()
    {
        string inside = _shared.File("a/b/c.txt");
        var trees = new RuleReach(Ruleset(
            (Path.Combine(_shared.Root, "a"), LandlockAccessFs.WriteFile),
            (_private.Root, LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir)), RuleReach.Writes);
        Assert.True(trees.Reach(inside));
        Assert.True(trees.Reach(Path.Combine(_shared.Root, "a", "not-yet-made")));
        Assert.False(trees.Reach(_shared.Root));
        Assert.False(trees.Reach(_privateTool)); // read rights only
        Assert.True(new RuleReach(Ruleset((inside, LandlockAccessFs.Truncate)), RuleReach.Writes).Reach(inside));
    }

    [Fact]
    public void RuleReachCountsARightTheRulesetLeavesUnhandledAsGrantedEverywhere()
    {
        const LandlockAccessFs makeOnly = LandlockAccessFs.ReadFile | LandlockAccessFs.Execute | LandlockAccessFs.MakeReg;
        var makesButDoesNotWrite = new RuleReach(new LandlockRuleset(LandlockAbi.V7, makeOnly), RuleReach.Writes);
        Assert.True(makesButDoesNotWrite.Reach(_privateTool));
        Assert.False(makesButDoesNotWrite.ReachesNothing);
        // What every ABI handles, handled and granted nowhere: nothing is reached.
        var writesNowhere = new RuleReach(new LandlockRuleset(LandlockAbi.V7), RuleReach.Writes);
        Assert.True(writesNowhere.ReachesNothing);
        Assert.False(writesNowhere.Reach(_privateTool));
        // Refer, which the kernel denies when unhandled, and Truncate, which ABI 2 cannot handle, do not count.
        var abi2 = new LandlockRuleset(LandlockAbi.V2, AbiFeatures.Of(LandlockAbi.V2).AccessFs & ~LandlockAccessFs.Refer);
        Assert.True(new RuleReach(abi2, RuleReach.Writes).ReachesNothing);
    }

    private static LandlockRuleset Ruleset(params (string Path, LandlockAccessFs Access)[] rules)
    {
        var ruleset = new LandlockRuleset(LandlockAbi.V7);
        foreach ((string path, LandlockAccessFs access) in rules) ruleset.AddPathRule(path, access);
        return ruleset;
    }

    private static string Copy(string from, string to)
    {
        File.Copy(from, to);
        File.SetUnixFileMode(to, Open);
        return to;
    }

    private static string Script(TempTree tree, string name, string text)
    {
        string path = tree.File(name, text);
        File.SetUnixFileMode(path, Open);
        return path;
    }
}

/// <summary>A test that needs root, to make a folder only root may change outside /tmp: skipped, saying why, for anyone else.</summary>
public sealed class RootOnlyFactAttribute : FactAttribute
{
    public RootOnlyFactAttribute()
    {
        if (ProcessApi.GetEuid() != 0) Skip = "needs root, to make a folder only root may change";
    }
}
