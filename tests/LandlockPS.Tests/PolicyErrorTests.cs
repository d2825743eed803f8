using System.Linq;
using System.IO;
using LandlockPS.Core.Policy;
using Xunit;
using static LandlockPS.Tests.PolicyFixtures;

namespace LandlockPS.Tests;

/// <summary>Bad policies fail whole, with a stable id, the file, and where the parser saw the problem.</summary>
public class PolicyErrorTests
{
    [Fact]
    public void MalformedJsonNamesLineAndColumn()
    {
        PolicyException e = Rejects("{\n  \"abi\": 5,\n  \"ruleset\": [ { \"handledAccessFs\": [\"execute\" } ]\n}", PolicyFormat.Json);

        Assert.Equal("PolicySyntaxError", e.ErrorId);
        Assert.Equal(3, e.Location?.Line);
        Assert.StartsWith("test-policy (line 3, column ", e.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedTomlNamesLineAndColumn()
    {
        PolicyException e = Rejects("abi = 5\n[[path_beneath]]\nparent = [\"/tmp\" \"/var\"]\nallowed_access = [\"read_dir\"]\n", PolicyFormat.Toml);

        Assert.Equal("PolicySyntaxError", e.ErrorId);
        Assert.Equal(3, e.Location?.Line);
    }

    [Theory]
    [InlineData("""{"ruleset":[{"handledAccessFs":["read_files"]}]}""", "PolicyUnknownAccess", 1)]
    [InlineData("""{"ruleset":[{"handledAccessFs":["bind_tcp"]}]}""", "PolicyUnknownAccess", 1)]
    [InlineData("{\n\"netPort\":[{\"allowedAccess\":[\"bind_tcp\"],\n\"port\":[80, 65536]}]}", "PolicyInvalidPort", 3)]
    [InlineData("""{"netPort":[{"allowedAccess":["bind_tcp"],"port":[-1]}]}""", "PolicyInvalidPort", 1)]
    [InlineData("""{"netPort":[{"allowedAccess":["bind_tcp"],"port":[80.5]}]}""", "PolicyInvalid", 1)]
    [InlineData("""{"pathBeneath":[{"allowedAccess":["read_dir"],"parent":["${nowhere}/x"]}]}""", "PolicyUndefinedVariable", 1)]
    [InlineData("""{"pathBeneath":[{"allowedAccess":["read_dir"],"parent":["${unclosed"]}]}""", "PolicyInvalidPath", 1)]
    [InlineData("""{"pathBeneath":[{"allowedAccess":["read_dir"],"parent":["${0bad}"]}]}""", "PolicyInvalidPath", 1)]
    [InlineData("""{"pathBeneath":[{"allowedAccess":["abi.read_execute"],"parent":["/usr"]}]}""", "PolicyInvalidGroup", 1)]
    [InlineData("""{"ruleset":[{"handledAccessNet":["v3.all"]}]}""", "PolicyInvalidGroup", 1)]
    [InlineData("""{"ruleset":[{"handledAccessFs":["v99.all"]}]}""", "PolicyInvalidGroup", 1)]
    [InlineData("""{"ruleset":[{"handledAccessFs":["w5.all"]}]}""", "PolicyInvalidGroup", 1)]
    [InlineData("""{"ruleset":[{"handledAccessFs":["execute"]}],"foo":[]}""", "PolicyUnknownKey", 1)]
    [InlineData("""{"ruleset":[{"handledAccessFs":["execute"],"handled_access_net":["bind_tcp"]}]}""", "PolicyUnknownKey", 1)]
    [InlineData("""{"ruleset":[{}]}""", "PolicyInvalid", 1)]
    [InlineData("""{"ruleset":[]}""", "PolicyInvalid", 1)]
    [InlineData("""{"pathBeneath":[{"allowedAccess":["read_dir"]}]}""", "PolicyInvalid", 1)]
    [InlineData("""{"pathBeneath":[{"allowedAccess":["read_dir"],"parent":[2]}]}""", "PolicyInvalid", 1)]
    [InlineData("""{"variable":[{"name":"bad-name","literal":["/x"]}]}""", "PolicyInvalidVariable", 1)]
    [InlineData("""{"abi":0,"ruleset":[{"handledAccessFs":["execute"]}]}""", "PolicyInvalid", 1)]
    [InlineData("""{"abi":5}""", "PolicyEmpty", 1)]
    [InlineData("""{"ruleset":null}""", "PolicyEmpty", 1)]
    [InlineData("""{"pathBeneath":[{"allowedAccess":["read_dir"],"parent":null}]}""", "PolicyInvalid", 1)]
    [InlineData("""{"netPort":[{"allowedAccess":["abi.all"],"port":[1]}]}""", "PolicyInvalidGroup", 1)]
    [InlineData("""{"abi":2,"netPort":[{"allowedAccess":["abi.all"],"port":["80"]}]}""", "PolicyInvalid", 1)]
    [InlineData("""{"abi":2,"netPort":[{"allowedAccess":["abi.all"],"port":[-1]}]}""", "PolicyInvalidPort", 1)]
    [InlineData("""{"abi":2,"pathBeneath":[{"allowedAccess":["abi.all"],"parent":["${"]}]}""", "PolicyInvalidPath", 1)]
    [InlineData("""{"ruleset":[{"handledAccessFs":["execute"]}],"ruleset":[{"handledAccessFs":["execute"]}]}""", "PolicySyntaxError", 1)]
    [InlineData("[]", "PolicyInvalid", 1)]
    [InlineData("{\"variable\":[{\"name\":\"v\",\"literal\":[\"/tmp\\u0000/etc\"]}],\"pathBeneath\":[{\"allowedAccess\":[\"read_dir\"],\"parent\":[\"${v}\"]}]}", "PolicyInvalidPath", 1)]
    public void SemanticErrorsHaveStableIds(string json, string errorId, int? line)
    {
        PolicyException e = Rejects(json, PolicyFormat.Json);

        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(line, e.Location?.Line);
    }

    [Theory]
    [InlineData("[[ruleset]]\nhandledAccessFs = [\"execute\"]\n", "PolicyUnknownKey", 2)]
    [InlineData("[[path_beneath]]\nallowed_access = [\"read_dir\"]\nparent = [\"/usr\"]\n[[net_port]]\nallowed_access = [\"connect_tcp\"]\nport = [99999]\n", "PolicyInvalidPort", 6)]
    [InlineData("[[path_beneath]]\nallowed_access = [\"read_dir\", \"reed_file\"]\nparent = [\"/usr\"]\n", "PolicyUnknownAccess", 2)]
    [InlineData("abi = \"5\"\n[[ruleset]]\nscoped = [\"signal\"]\n", "PolicyInvalid", 1)]
    [InlineData("[[path_beneath]]\nallowed_access = [\"read_dir\"]\nparent = [\"/usr\"]\nparent = [\"/\"]\n", "PolicySyntaxError", 4)]
    [InlineData("abi = 5\nabi = 6\n", "PolicySyntaxError", 2)]
    public void TomlErrorsPointAtTheKey(string toml, string errorId, int line)
    {
        PolicyException e = Rejects(toml, PolicyFormat.Toml);

        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(line, e.Location?.Line);
    }

    [Fact]
    public void FilesThatAreNotPlainPolicyFilesAreRefused()
    {
        using var tree = new TempTree();
        string fifo = Path.Combine(tree.Root, "fifo.json");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();

        Assert.Equal("PolicyFileNotFound", Assert.Throws<PolicyException>(() => Import(Path.Combine(tree.Root, "none.json"))).ErrorId);
        Assert.Equal("PolicyFileNotRegular", Assert.Throws<PolicyException>(() => PolicyImport.FromFile(fifo, null, "/", null)).ErrorId);
        Assert.Equal("PolicyFileNotRegular", Assert.Throws<PolicyException>(() => PolicyImport.FromFile(tree.Root, null, "/", null)).ErrorId);
        Assert.Equal("PolicyEmpty", Assert.Throws<PolicyException>(() => PolicyImport.FromFile(tree.File("empty.toml", ""), null, "/", null)).ErrorId);
        using (var big = File.Create(Path.Combine(tree.Root, "big.json"))) big.SetLength(2 << 20);
        Assert.Equal("PolicyFileTooLarge", Assert.Throws<PolicyException>(() => PolicyImport.FromFile(Path.Combine(tree.Root, "big.json"), null, "/", null)).ErrorId);
    }

    [Fact]
    public void InvalidUtf8InTomlIsASyntaxError()
    {
        byte[] bytes = [.. "abi = 5\n# "u8, 0xff, 0xfe, (byte)'\n'];
        PolicyException e = Assert.Throws<PolicyException>(() => PolicyImport.FromBytes(bytes, "bad.toml", PolicyFormat.Toml, "/", null));
        Assert.Equal("PolicySyntaxError", e.ErrorId);
        Assert.Equal(new PolicyLocation(2, 3), e.Location);
    }

    [Fact]
    public void AnExpansionLongerThanAnyPathStopsAtOnce()
    {
        // 60 KB named 4,000 times in one path: without a length check the importer copies gigabytes.
        string value = new('x', 60_000);
        string toml = $"[[variable]]\nname = \"v\"\nliteral = [\"/{value}\"]\n[[path_beneath]]\nallowed_access = [\"read_dir\"]\nparent = [\"{string.Concat(Enumerable.Repeat("${v}", 4_000))}\"]\n";

        Assert.Equal("PolicyTooLarge", Rejects(toml, PolicyFormat.Toml).ErrorId);
    }

    [Fact]
    public void TooDeepADocumentIsExplainedInTheAuthorsTerms()
    {
        PolicyException e = Rejects(new string('[', 100), PolicyFormat.Json);

        Assert.Equal("PolicySyntaxError", e.ErrorId);
        Assert.Contains("nests deeper than", e.Message, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"abi\":5,\"pathBeneath\":[")]
    [InlineData("{")]
    public void ADocumentCutShortIsNotCalledTooDeep(string json)
    {
        PolicyException e = Rejects(json, PolicyFormat.Json);

        Assert.Equal("PolicySyntaxError", e.ErrorId);
        Assert.DoesNotContain("nests deeper", e.Message, System.StringComparison.Ordinal);
        Assert.Contains("a } or ] is missing", e.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void TooDeepATomlDocumentIsExplainedInTheAuthorsTerms()
    {
        PolicyException e = Rejects("a = " + new string('[', 40) + "1" + new string(']', 40), PolicyFormat.Toml);

        Assert.Contains("nests deeper than", e.Message, System.StringComparison.Ordinal);
    }
}
