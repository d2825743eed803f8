using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Policy;
using Xunit;
using static LandlockPS.Tests.PolicyFixtures;
using Fs = LandlockPS.Core.Landlock.LandlockAccessFs;

namespace LandlockPS.Tests;

/// <summary>Several policies compose as landlockconfig composes them: files, directories, variables across files.</summary>
public class PolicyCompositionTests
{
    private const string Source = "composition/source";

    [Theory]
    [InlineData("s1.toml", "s2.toml", "s.toml")]
    [InlineData("s1.toml", "s2.toml", "s.json")]
    [InlineData("s1.json", "s2.toml", "s.toml")]
    [InlineData("s2.toml", "s1.json", "s.json")]
    public void TheFixturePairComposesIntoWhatUpstreamWroteOut(string first, string second, string composed)
    {
        LandlockRuleset expected = Import($"composition/{composed}").Ruleset;

        PolicyImportResult result = Compose(PathOf($"{Source}/{first}"), PathOf($"{Source}/{second}"));

        AssertSameRuleset(expected, result.Ruleset);
        Assert.Equal(LandlockAbi.V4, result.Ruleset.Abi);
        Assert.Equal(AbiFeatures.Of(LandlockAbi.V4).AccessFs, result.Ruleset.HandledAccessFs);
        // s1 handles IoctlDev (abi 5), s2 does not (abi 4): the composition leaves it unrestricted, and says which file made it so.
        PolicyNote warning = Assert.Single(result.Warnings, w => w.Message.Contains("IoctlDev", StringComparison.Ordinal));
        Assert.Contains("s2.toml does not handle IoctlDev", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADirectoryComposesItsPolicyFiles()
    {
        LandlockPolicy? policy = PolicyImport.ReadDirectory(PathOf(Source), format: null, out IReadOnlyList<PolicyException> errors);

        Assert.Empty(errors);
        Assert.NotNull(policy);
        // Ordinal name order; s1.json and s1.toml say the same, and composing a policy with itself changes nothing.
        Assert.Equal(new[] { "s1.json", "s1.toml", "s2.toml" }, policy.Sources.Select(Path.GetFileName));
        AssertSameRuleset(Import("composition/s.toml").Ruleset, PolicyImport.ToRuleset(policy, "/", null).Ruleset);
    }

    [Fact]
    public void ADirectoryReadsOnlyVisibleRegularJsonAndTomlFilesInNameOrder()
    {
        using var tree = new TempTree();
        string dir = tree.Dir("conf.d");
        tree.File("conf.d/20-b.toml", "[[path_beneath]]\nallowed_access = [\"read_file\", \"read_dir\"]\nparent = [\"/usr\"]\n");
        tree.File("conf.d/10-a.json", """{"pathBeneath":[{"allowedAccess":["read_file","read_dir"],"parent":["/etc"]}]}""");
        tree.File("conf.d/.hidden.toml", "not = [valid");
        tree.File("conf.d/notes.txt", "not a policy");
        tree.File("conf.d/UPPER.TOML", "not = [valid");
        tree.Dir("conf.d/sub.toml");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(dir, "pipe.json"))) mkfifo.WaitForExit();

        LandlockPolicy? policy = PolicyImport.ReadDirectory(dir, format: null, out IReadOnlyList<PolicyException> errors);
        LandlockPolicy? jsonOnly = PolicyImport.ReadDirectory(dir, PolicyFormat.Json, out _);

        Assert.Empty(errors);
        Assert.Equal(new[] { "10-a.json", "20-b.toml" }, policy!.Sources.Select(Path.GetFileName));
        Assert.Equal(new[] { "/etc", "/usr" }, PolicyImport.ToRuleset(policy, "/", null).Ruleset.PathRules.Select(r => r.Path));
        Assert.Equal(new[] { "10-a.json" }, jsonOnly!.Sources.Select(Path.GetFileName));
        Assert.Contains(policy.Details, d => d.Origin?.File.EndsWith("pipe.json", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void EveryBadFileOfADirectoryIsReportedWithItsPlaceAndNothingComesOut()
    {
        using var tree = new TempTree();
        string dir = tree.Dir("conf.d");
        tree.File("conf.d/a.toml", "[[path_beneath]]\nallowed_access = [\"read_files\"]\nparent = [\"/usr\"]\n");
        tree.File("conf.d/b.json", "{\n  \"ruleset\": [ }");
        tree.File("conf.d/c.toml", "[[ruleset]]\nhandled_access_fs = [\"execute\"]\n");

        Assert.Null(PolicyImport.ReadDirectory(dir, format: null, out IReadOnlyList<PolicyException> errors));

        Assert.Equal(new[] { ("PolicyUnknownAccess", "a.toml", 2), ("PolicySyntaxError", "b.json", 2) },
            errors.Select(e => (e.ErrorId, Path.GetFileName(e.File), e.Location!.Value.Line)));
    }

    [Fact]
    public void ADirectoryWithoutPoliciesIsNotFound()
    {
        using var tree = new TempTree();
        tree.File("empty/readme.txt", "nothing here");

        Assert.Null(PolicyImport.ReadDirectory(tree.Dir("empty"), format: null, out IReadOnlyList<PolicyException> errors));

        Assert.Equal("PolicyFileNotFound", Assert.Single(errors).ErrorId);
    }

    [Fact]
    public void AVariableDefinedInOneFileServesARuleOfAnother()
    {
        using var tree = new TempTree();
        tree.Dir("data");
        string rules = tree.File("rules.toml", "[[path_beneath]]\nallowed_access = [\"read_file\", \"read_dir\"]\nparent = [\"${data}\"]\n");
        string variables = tree.File("vars.json", $$"""{"ruleset":[{"handledAccessFs":["read_file","read_dir"]}],"variable":[{"name":"data","literal":["{{tree.Root}}/data"]}]}""");

        LandlockRuleset rs = Compose(rules, variables).Ruleset;

        Assert.Equal([$"{tree.Root}/data"], rs.PathRules.Select(r => r.Path));
        // Alone, the rules file names a variable nobody defines: the error points at its use.
        PolicyException alone = Assert.Throws<PolicyException>(() => PolicyImport.FromFile(rules, null, "/", null));
        Assert.Equal(("PolicyUndefinedVariable", rules, 3), (alone.ErrorId, alone.File, alone.Location!.Value.Line));
    }

    [Fact]
    public void AVariableUndefinedInEveryComposedFileNamesTheFileThatUsesIt()
    {
        using var tree = new TempTree();
        string a = tree.File("a.json", """{"pathBeneath":[{"allowedAccess":["read_dir"],"parent":["/usr"]}]}""");
        string b = tree.File("b.json", "{\"pathBeneath\":[{\"allowedAccess\":[\"read_dir\"],\n\"parent\":[\"${nowhere}\"]}]}");

        PolicyException e = Assert.Throws<PolicyException>(() => Compose(a, b));

        Assert.Equal("PolicyUndefinedVariable", e.ErrorId);
        Assert.StartsWith($"{b} (line 2, column 11): ", e.Message, StringComparison.Ordinal);
        Assert.Contains("any of the composed files", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APortOutOfRangeMattersOnlyWhenItsRuleSurvivesTheComposition()
    {
        using var tree = new TempTree();
        string web = tree.File("web.json", "{\"netPort\":[{\"allowedAccess\":[\"connect_tcp\"],\n\"port\":[443, 70000]}]}");
        string files = tree.File("files.json", """{"pathBeneath":[{"allowedAccess":["read_dir"],"parent":["/usr"]}]}""");
        string net = tree.File("net.json", """{"ruleset":[{"handledAccessNet":["connect_tcp"]}]}""");

        // files.json handles no network right: the web rule is left out, its ports never judged (as upstream).
        PolicyImportResult dropped = Compose(web, files);
        Assert.Empty(dropped.Ruleset.NetRules);
        Assert.Contains(dropped.Details, d => d.Origin?.File == web && d.Message.Contains("left out", StringComparison.Ordinal));

        PolicyException kept = Assert.Throws<PolicyException>(() => Compose(web, net));
        Assert.Equal(("PolicyInvalidPort", web, 2), (kept.ErrorId, kept.File, kept.Location!.Value.Line));
    }

    [Fact]
    public void AFileOfOnlyVariablesMakesTheCompositionHandleNothingAndTheWarningSaysWhy()
    {
        using var tree = new TempTree();
        string variables = tree.File("vars.toml", "[[variable]]\nname = \"x\"\nliteral = [\"/usr\"]\n");
        string rules = tree.File("rules.toml", "[[path_beneath]]\nallowed_access = [\"read_dir\"]\nparent = [\"${x}\"]\n");

        PolicyImportResult result = Compose(variables, rules);

        Assert.True(result.Ruleset.HandlesNothing);
        Assert.Empty(result.Ruleset.PathRules);
        Assert.Contains(result.Warnings, w => w.Message.StartsWith($"{variables} handles nothing", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.Message.Contains("restricts nothing", StringComparison.Ordinal));
    }

    [Fact]
    public void ARuleNarrowedByTheCompositionSaysWhatItLost()
    {
        using var tree = new TempTree();
        string wide = tree.File("wide.toml", "abi = 3\n[[path_beneath]]\nallowed_access = [\"abi.read_write\"]\nparent = [\"/tmp\"]\n");
        string narrow = tree.File("narrow.toml", "[[ruleset]]\nhandled_access_fs = [\"read_file\", \"write_file\"]\n");

        PolicyImportResult result = Compose(wide, narrow);

        Assert.Equal(Fs.ReadFile | Fs.WriteFile, result.Ruleset.PathRules.Single().Access);
        PolicyNote note = Assert.Single(result.Details, d => d.Message.Contains("loses", StringComparison.Ordinal));
        Assert.Equal((wide, 4), (note.Origin?.File, note.Origin?.Location?.Line));
    }

    [Fact]
    public void TheLowestPinnedAbiWinsAndEachFileKeepsItsOwnGroups()
    {
        using var tree = new TempTree();
        string v6 = tree.File("v6.json", """{"abi":6,"ruleset":[{"handledAccessFs":["abi.all"],"scoped":["abi.all"]}]}""");
        string v3 = tree.File("v3.json", """{"abi":3,"ruleset":[{"handledAccessFs":["abi.all"]}]}""");
        string none = tree.File("none.json", """{"ruleset":[{"handledAccessFs":["abi.all"]}],"abi":5}""");

        LandlockRuleset rs = Compose(v6, v3, none).Ruleset;

        Assert.Equal(LandlockAbi.V3, rs.Abi);
        Assert.Equal(AbiFeatures.Of(LandlockAbi.V3).AccessFs, rs.HandledAccessFs);
        Assert.Equal(LandlockScope.None, rs.Scope);
    }

    private static PolicyImportResult Compose(params string[] files) =>
        PolicyImport.ToRuleset(LandlockPolicy.Compose(files.Select(f => PolicyImport.ReadFile(f, null)).ToArray()), "/", null);
}
