using System.Collections.Generic;
using System.IO;
using System.Linq;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Policy;
using Xunit;
using static LandlockPS.Tests.PolicyFixtures;
using Fs = LandlockPS.Core.Landlock.LandlockAccessFs;

namespace LandlockPS.Tests;

/// <summary>Each landlockconfig fixture reads as the ruleset its text means, rule by rule.</summary>
public class PolicyImportTests
{
    private static readonly Fs AllV5 = AbiFeatures.Of(LandlockAbi.V5).AccessFs;
    private static readonly Fs ReadExecuteV5 = Fs.Execute | Fs.ReadFile | Fs.ReadDir | Fs.Refer;
    private static readonly string[] SystemTree = ["/usr", "/bin", "/lib", "/usr", "/dev", "/etc", "/proc"];

    [Theory]
    [InlineData("mini-write-tmp.json")]
    [InlineData("mini-write-tmp.toml")]
    public void MiniWriteTmpMeansItsText(string file)
    {
        LandlockRuleset rs = Import(file, baseDirectory: "/usr").Ruleset;

        Assert.Equal(LandlockAbi.V5, rs.Abi);
        Assert.Equal(AllV5, rs.HandledAccessFs);
        Assert.Equal(LandlockAccessNet.BindTcp, rs.HandledAccessNet);
        Assert.Equal(LandlockScope.None, rs.Scope);
        // "." is the base directory (/usr here), which the list names again: one rule.
        Assert.Equal(SystemTree.Distinct().Append("/tmp"), rs.PathRules.Select(r => r.Path));
        Assert.All(rs.PathRules.Where(r => r.Path != "/tmp"), r => Assert.Equal(ReadExecuteV5, r.Access));
        Assert.Equal(AllV5 & ~Fs.Execute, Rule(rs, "/tmp"));
        Assert.Equal([new LandlockNetRule(80, LandlockAccessNet.BindTcp), new LandlockNetRule(443, LandlockAccessNet.BindTcp)], rs.NetRules);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), rs.Name);
    }

    [Fact]
    public void JsonAndTomlSpellingsMeanTheSame()
    {
        AssertSameRuleset(Import("mini-write-tmp.json").Ruleset, Import("mini-write-tmp.toml").Ruleset);
    }

    [Fact]
    public void MiniScopedHandlesNetworkAndScopesOnly()
    {
        LandlockRuleset rs = Import("mini-scoped.json").Ruleset;

        Assert.Equal(LandlockAbi.V6, rs.Abi);
        Assert.Equal(Fs.None, rs.HandledAccessFs);
        Assert.Equal(LandlockAccessNet.BindTcp | LandlockAccessNet.ConnectTcp, rs.HandledAccessNet);
        Assert.Equal(LandlockScope.AbstractUnixSocket | LandlockScope.Signal, rs.Scope);
        Assert.Empty(rs.PathRules);
        Assert.Empty(rs.NetRules);
    }

    [Fact]
    public void VerboseWriteTmpGrantsExactlyTheNamedRights()
    {
        LandlockRuleset rs = Import("verbose-write-tmp.json").Ruleset;

        // No abi key: the oldest ABI with every handled right (ioctl_dev: V5).
        Assert.Equal(LandlockAbi.V5, rs.Abi);
        Assert.Equal(AllV5, rs.HandledAccessFs);
        Assert.Equal(LandlockAccessNet.None, rs.HandledAccessNet);
        Assert.Equal(ReadExecuteV5, Rule(rs, "/etc"));
        Assert.Equal(
            Fs.WriteFile | Fs.ReadFile | Fs.ReadDir | Fs.RemoveDir | Fs.RemoveFile | Fs.MakeDir | Fs.MakeReg |
            Fs.MakeSock | Fs.MakeFifo | Fs.MakeSym | Fs.Refer | Fs.Truncate,
            Rule(rs, "/tmp"));
    }

    [Fact]
    public void MicroVarExpandsVariablesAndInfersHandledAccess()
    {
        using var tree = new TempTree();
        LandlockRuleset rs = Import("micro-var.toml", tree.Root).Ruleset;

        // No ruleset entry: handled is what the rules grant, abi.read_execute | abi.read_write = all of V5.
        Assert.Equal(AllV5, rs.HandledAccessFs);
        Assert.Equal(LandlockAbi.V5, rs.Abi);
        Assert.Equal(ReadExecuteV5, Rule(rs, tree.Root));
        Assert.Equal(ReadExecuteV5, Rule(rs, "/etc"));
        foreach (string path in new[] { "/tmp", "/var/tmp", "/root", "/home" })
        {
            Assert.Equal(AllV5 & ~Fs.Execute, Rule(rs, path));
        }
        Assert.Equal(11, rs.PathRules.Count);
    }

    [Fact]
    public void MicroWriteTmpHandlesAllOfItsAbiThroughItsRules()
    {
        LandlockRuleset rs = Import("micro-write-tmp.toml").Ruleset;

        Assert.Equal(LandlockAbi.V5, rs.Abi);
        Assert.Equal(AllV5, rs.HandledAccessFs);
        Assert.Equal(LandlockAccessNet.None, rs.HandledAccessNet);
        Assert.Equal(ReadExecuteV5, Rule(rs, "/etc"));
        Assert.Equal(AllV5 & ~Fs.Execute, Rule(rs, "/tmp"));
    }

    [Fact]
    public void TheOlderVersionedGroupsStillReadAsTheirAbiGroups()
    {
        // An extension: upstream replaced v5.read_execute with abi = 5 + abi.read_execute in 2025.
        using var tree = new TempTree();
        AssertSameRuleset(Import("micro-var.toml", tree.Root).Ruleset, Import("legacy-micro-var-v5-groups.toml", tree.Root).Ruleset);
    }

    [Fact]
    public void AFileOfOnlyVariablesIsAPolicyThatHandlesNothing()
    {
        PolicyImportResult result = Parse("""{"variable":[{"name":"x","literal":["/x"]}]}""", PolicyFormat.Json);

        Assert.True(result.Ruleset.HandlesNothing);
        Assert.Empty(result.Ruleset.PathRules);
        PolicyNote warning = Assert.Single(result.Warnings);
        Assert.Contains("restricts nothing", warning.Message, System.StringComparison.Ordinal);
        Assert.Equal("EmptyRuleset", Assert.Throws<LandlockAccessException>(() => RulesetCompiler.Compile(result.Ruleset)).ErrorId);
    }

    [Theory]
    [InlineData(PolicyFormat.Json, "{\n\"abi\": 2,\n\"pathBeneath\": [{\"allowedAccess\": [\"abi.read_execute\"], \"parent\": [\"/usr\"]}],\n\"netPort\": [{\"allowedAccess\": [\"abi.all\"], \"port\": [443, 99999]}]\n}", 4)]
    [InlineData(PolicyFormat.Toml, "abi = 2\n[[path_beneath]]\nallowed_access = [\"abi.read_execute\"]\nparent = [\"/usr\"]\n[[net_port]]\nallowed_access = [\"abi.all\"]\nport = [443]\n", 6)]
    public void ARuleWhoseGroupMeansNothingUnderTheAbiIsLeftOutAndSaidSo(PolicyFormat format, string text, int line)
    {
        PolicyImportResult result = Parse(text, format);

        // ABI 2 has no network right: the net rule goes (its port is never judged), the path rule stays.
        Assert.Equal(LandlockAccessNet.None, result.Ruleset.HandledAccessNet);
        Assert.Empty(result.Ruleset.NetRules);
        Assert.Equal(["/usr"], result.Ruleset.PathRules.Select(r => r.Path));
        PolicyNote note = Assert.Single(result.Details, d => d.Message.Contains("left out", System.StringComparison.Ordinal));
        Assert.Equal("test-policy", note.Origin?.File);
        Assert.Equal(line, note.Origin?.Location?.Line);
        Assert.StartsWith($"test-policy (line {line}, column ", note.ToString(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void JsonNullIsAnAbsentKey()
    {
        LandlockRuleset rs = Parse("""{"abi":null,"ruleset":null,"variable":[{"name":"v","literal":null}],"netPort":[{"allowedAccess":["bind_tcp"],"port":[80]}]}""", PolicyFormat.Json).Ruleset;

        Assert.Equal(LandlockAccessNet.BindTcp, rs.HandledAccessNet);
        Assert.Equal(Fs.None, rs.HandledAccessFs);
    }

    [Theory]
    [InlineData("""{"ruleset":[{"handledAccessFs":["v1.all"]}]}""", Fs.Execute | Fs.WriteFile | Fs.ReadFile | Fs.ReadDir | Fs.RemoveDir | Fs.RemoveFile | Fs.MakeChar | Fs.MakeDir | Fs.MakeReg | Fs.MakeSock | Fs.MakeFifo | Fs.MakeBlock | Fs.MakeSym)]
    [InlineData("""{"ruleset":[{"handledAccessFs":["v1.read_execute"]}]}""", Fs.Execute | Fs.ReadFile | Fs.ReadDir)]
    [InlineData("""{"ruleset":[{"handledAccessFs":["v2.read_execute"]}]}""", Fs.Execute | Fs.ReadFile | Fs.ReadDir | Fs.Refer)]
    [InlineData("""{"abi":3,"ruleset":[{"handledAccessFs":["abi.read_write"]}]}""", Fs.WriteFile | Fs.ReadFile | Fs.ReadDir | Fs.RemoveDir | Fs.RemoveFile | Fs.MakeChar | Fs.MakeDir | Fs.MakeReg | Fs.MakeSock | Fs.MakeFifo | Fs.MakeBlock | Fs.MakeSym | Fs.Refer | Fs.Truncate)]
    [InlineData("""{"ruleset":[{"handledAccessFs":["execute","execute"]},{"handledAccessFs":["truncate"]}]}""", Fs.Execute | Fs.Truncate)]
    public void GroupsResolveAgainstTheirVersion(string json, Fs expected)
    {
        Assert.Equal(expected, Parse(json, PolicyFormat.Json).Ruleset.HandledAccessFs);
    }

    [Fact]
    public void NetworkAndScopeGroupsFollowTheirVersions()
    {
        LandlockRuleset rs = Parse("""{"ruleset":[{"handledAccessNet":["v4.all"],"scoped":["v6.all"]}]}""", PolicyFormat.Json).Ruleset;

        Assert.Equal(LandlockAccessNet.BindTcp | LandlockAccessNet.ConnectTcp, rs.HandledAccessNet);
        Assert.Equal(LandlockScope.AbstractUnixSocket | LandlockScope.Signal, rs.Scope);
        Assert.Equal(LandlockAbi.V6, rs.Abi);
    }

    [Fact]
    public void VariablesMultiplyAndEscapesStayLiteral()
    {
        using var tree = new TempTree();
        foreach (string dir in new[] { "a/x", "a/y", "b/x", "b/y", "c$d" }) tree.Dir(dir);
        string toml = $$"""
            [[variable]]
            name = "top"
            literal = ["{{tree.Root}}/a", "{{tree.Root}}/b"]
            [[variable]]
            name = "leaf"
            literal = ["x", "y"]
            [[variable]]
            name = "top"
            literal = ["{{tree.Root}}/a"]
            [[path_beneath]]
            allowed_access = ["read_dir"]
            parent = ["${top}/${leaf}", "{{tree.Root}}/c$$d"]
            """;

        LandlockRuleset rs = Parse(toml, PolicyFormat.Toml).Ruleset;

        Assert.Equal(
            new[] { "a/x", "a/y", "b/x", "b/y", "c$d" }.Select(d => $"{tree.Root}/{d}"),
            rs.PathRules.Select(r => r.Path));
    }

    [Fact]
    public void RelativePathsStartAtTheBaseDirectoryAndMissingOnesAreSkippedWithAWarning()
    {
        using var tree = new TempTree();
        tree.Dir("data");
        string json = """{"pathBeneath":[{"allowedAccess":["read_dir"],"parent":["data","./data/","gone"]}]}""";

        PolicyImportResult result = Parse(json, PolicyFormat.Json, tree.Root);

        Assert.Equal([$"{tree.Root}/data"], result.Ruleset.PathRules.Select(r => r.Path));
        Assert.Contains(result.Warnings, w => w.Message.Contains($"{tree.Root}/gone", System.StringComparison.Ordinal));
    }

    [Fact]
    public void AFileRuleKeepsOnlyTheRightsThatApplyToFiles()
    {
        using var tree = new TempTree();
        string file = tree.File("note.txt");
        LandlockRuleset rs = Parse($$"""{"pathBeneath":[{"allowedAccess":["read_file","read_dir"],"parent":["{{file}}"]}]}""", PolicyFormat.Json).Ruleset;

        Assert.Equal(Fs.ReadFile | Fs.ReadDir, rs.HandledAccessFs);
        Assert.Equal(Fs.ReadFile, Rule(rs, file));
    }

    [Fact]
    public void AnAbiNewerThanKnownMeansTheNewestKnown()
    {
        PolicyImportResult result = Parse("""{"abi":99,"ruleset":[{"handledAccessNet":["abi.all"]}]}""", PolicyFormat.Json);

        Assert.Equal(AbiFeatures.Newest, result.Ruleset.Abi);
        Assert.Equal(AbiFeatures.Of(AbiFeatures.Newest).AccessNet, result.Ruleset.HandledAccessNet);
        Assert.Single(result.Warnings);
    }

    private static Fs Rule(LandlockRuleset rs, string path) => rs.PathRules.Single(r => r.Path == path).Access;

    [Fact]
    public void AnEmptyPathNamesNothingRatherThanTheBaseDirectory()
    {
        using var tree = new TempTree();
        string json = """{"variable":[{"name":"v","literal":[""]}],"pathBeneath":[{"allowedAccess":["read_dir"],"parent":["", "${v}", "/usr"]}]}""";

        PolicyImportResult result = Parse(json, PolicyFormat.Json, tree.Root);

        Assert.Equal(["/usr"], result.Ruleset.PathRules.Select(r => r.Path));
        Assert.Equal(2, result.Warnings.Count(w => w.Message.Contains("empty path", System.StringComparison.Ordinal)));
    }
}
