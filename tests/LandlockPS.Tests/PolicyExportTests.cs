using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Policy;
using Xunit;
using static LandlockPS.Tests.PolicyFixtures;
using Fs = LandlockPS.Core.Landlock.LandlockAccessFs;

namespace LandlockPS.Tests;

/// <summary>Export then import gives the same ruleset, and what is written validates against landlockconfig's schema.</summary>
public class PolicyExportTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(PathOf("landlockconfig.schema.json")));

    private static readonly string[] Fixtures =
    [
        "mini-write-tmp.json", "mini-write-tmp.toml", "mini-scoped.json", "verbose-write-tmp.json", "micro-var.toml", "micro-write-tmp.toml",
        "legacy-micro-var-v5-groups.toml", "composition/s.json", "composition/s.toml", "composition/source/s1.json", "composition/source/s2.toml",
    ];

    private static readonly System.Text.RegularExpressions.Regex VersionedGroup = new(@"""v\d+\.");

    public static TheoryData<string, PolicyFormat> FixturesByFormat()
    {
        var data = new TheoryData<string, PolicyFormat>();
        foreach (string file in Fixtures)
        {
            data.Add(file, PolicyFormat.Json);
            data.Add(file, PolicyFormat.Toml);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FixturesByFormat))]
    public void FixturesRoundTripAndValidate(string file, PolicyFormat format)
    {
        LandlockRuleset imported = Import(file).Ruleset;

        string text = PolicyExport.ToText(imported, format).Text;
        LandlockRuleset again = Parse(text, format).Ruleset;

        AssertSameRuleset(imported, again);
        AssertValid(text, format);
    }

    [Theory]
    [InlineData(PolicyFormat.Json)]
    [InlineData(PolicyFormat.Toml)]
    public void EveryKindOfRuleRoundTrips(PolicyFormat format)
    {
        using var tree = new TempTree();
        string odd = tree.Dir("a ${b} $$c \"quoted\" é");
        string file = tree.File("plain.txt");
        var rs = new LandlockRuleset(LandlockAbi.V6, name: "every");
        rs.AddPathRule(odd, LandlockAccessFs.ReadWrite & rs.HandledAccessFs);
        rs.AddPathRule(file, LandlockAccessFs.ReadFile | LandlockAccessFs.Truncate);
        rs.AddPathRule("/usr", LandlockAccessFs.ReadExecute);
        rs.AddNetRule(0, LandlockAccessNet.BindTcp);
        rs.AddNetRule(65535, LandlockAccessNet.BindTcp | LandlockAccessNet.ConnectTcp);
        rs.AddNetRule(443, LandlockAccessNet.ConnectTcp);

        PolicyExportResult exported = PolicyExport.ToText(rs, format);
        LandlockRuleset again = Parse(exported.Text, format).Ruleset;

        AssertSameRuleset(rs, again);
        AssertValid(exported.Text, format);
        Assert.Empty(exported.Warnings);
    }

    [Fact]
    public void RightsThatMakeAGroupOfTheFilesAbiAreWrittenAsThatGroup()
    {
        var rs = new LandlockRuleset(LandlockAbi.V5);
        Fs all = rs.HandledAccessFs, readExecute = Fs.Execute | Fs.ReadFile | Fs.ReadDir | Fs.Refer;
        rs.AddPathRule("/usr", readExecute);
        rs.AddPathRule("/tmp", all & ~Fs.Execute);
        rs.AddPathRule("/srv", all);
        rs.AddPathRule("/var", readExecute | Fs.Truncate);
        rs.AddPathRule("/etc", Fs.ReadFile);
        rs.AddNetRule(443, LandlockAccessNet.BindTcp | LandlockAccessNet.ConnectTcp);

        string json = PolicyExport.ToText(rs, PolicyFormat.Json).Text;
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;

        Assert.Equal(5, root.GetProperty("abi").GetInt32());
        Assert.Equal(["abi.all"], Strings(root.GetProperty("ruleset")[0].GetProperty("handledAccessFs")));
        Assert.Equal(["abi.all"], Strings(root.GetProperty("ruleset")[0].GetProperty("handledAccessNet")));
        var rules = root.GetProperty("pathBeneath").EnumerateArray().ToDictionary(e => Strings(e.GetProperty("parent")).Single(), e => Strings(e.GetProperty("allowedAccess")));
        Assert.Equal(["abi.read_execute"], rules["/usr"]);
        Assert.Equal(["abi.read_write"], rules["/tmp"]);
        Assert.Equal(["abi.all"], rules["/srv"]);
        Assert.Equal(["abi.read_execute", "truncate"], rules["/var"]);
        Assert.Equal(["read_file"], rules["/etc"]);
        Assert.Equal(["abi.all"], Strings(root.GetProperty("netPort")[0].GetProperty("allowedAccess")));
        Assert.Contains("allowed_access = [\"abi.read_write\"]", PolicyExport.ToText(rs, PolicyFormat.Toml).Text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void RandomRulesetsOfEveryAbiRoundTripExactlyAndNeverNameAVersionedGroup()
    {
        using var tree = new TempTree();
        string[] dirs = Enumerable.Range(0, 6).Select(i => tree.Dir($"d{i}")).ToArray();
        var random = new System.Random(1402);
        foreach (AbiFeatures abi in AbiFeatures.All)
        {
            for (int n = 0; n < 40; n++)
            {
                LandlockRuleset rs = RandomRuleset(abi, dirs, random);
                foreach (PolicyFormat format in new[] { PolicyFormat.Json, PolicyFormat.Toml })
                {
                    string text = PolicyExport.ToText(rs, format).Text;
                    AssertSameRuleset(rs, Parse(text, format, tree.Root).Ruleset);
                    Assert.DoesNotMatch(VersionedGroup, text);
                }
            }
        }
    }

    [Fact]
    public void RightsNewerThanTheSchemaAreNamedBesideTheGroupAndCommentedInToml()
    {
        var rs = new LandlockRuleset(LandlockAbi.V10);
        rs.AddPathRule("/usr", rs.HandledAccessFs);

        string toml = PolicyExport.ToText(rs, PolicyFormat.Toml).Text;
        string json = PolicyExport.ToText(rs, PolicyFormat.Json).Text;

        Assert.Contains("handled_access_fs = [\"abi.all\", \"resolve_unix\"]", toml, System.StringComparison.Ordinal);
        Assert.Contains("handled_access_net = [\"abi.all\", \"bind_udp\", \"connect_send_udp\"]", toml, System.StringComparison.Ordinal);
        Assert.Matches(@"(?m)^# resolve_unix: newer than landlockconfig's schema.*\n(handled_access_fs|allowed_access) = ", toml);
        Assert.Matches(@"(?m)^# bind_udp, connect_send_udp: newer than landlockconfig's schema.*\nhandled_access_net = ", toml);
        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal(["abi.all", "resolve_unix"], Strings(document.RootElement.GetProperty("pathBeneath")[0].GetProperty("allowedAccess")));
        AssertSameRuleset(rs, Parse(toml, PolicyFormat.Toml).Ruleset);
        AssertSameRuleset(rs, Parse(json, PolicyFormat.Json).Ruleset);
    }

    [Fact]
    public void ARulesetThatHandlesNothingIsNotWritten()
    {
        var empty = new LandlockRuleset(LandlockAbi.V4, Fs.None, LandlockAccessNet.None, LandlockScope.None);

        Assert.Equal("EmptyRuleset", Assert.Throws<LandlockAccessException>(() => PolicyExport.ToText(empty, PolicyFormat.Toml)).ErrorId);
    }

    [Fact]
    public void WhatTheFormatCannotCarryIsWarnedAbout()
    {
        var rs = new LandlockRuleset(LandlockAbi.V10, compatibilityLevel: CompatibilityLevel.HardRequirement, logFlags: LandlockRestrictFlags.LogNewExecOn,
            quietAccessFs: LandlockAccessFs.ReadFile);

        PolicyExportResult exported = PolicyExport.ToText(rs, PolicyFormat.Json);

        Assert.Equal(4, exported.Warnings.Count);
        Assert.Contains(exported.Warnings, w => w.Contains("resolve_unix", System.StringComparison.Ordinal));
        Assert.Contains(exported.Warnings, w => w.Contains("quiet settings", System.StringComparison.Ordinal));
        AssertSameRuleset(new LandlockRuleset(LandlockAbi.V10), Parse(exported.Text, PolicyFormat.Json).Ruleset);
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    // Handled rights: a random non-empty part of the ABI's; rules: random parts of those on existing directories and ports.
    private static LandlockRuleset RandomRuleset(AbiFeatures abi, string[] dirs, System.Random random)
    {
        Fs fs = (Fs)RandomPart((ulong)abi.AccessFs, random);
        var net = (LandlockAccessNet)RandomPart((ulong)abi.AccessNet, random);
        var scope = (LandlockScope)RandomPart((ulong)abi.Scope, random);
        if (fs == Fs.None && net == LandlockAccessNet.None && scope == LandlockScope.None) fs = abi.AccessFs;
        var rs = new LandlockRuleset(abi.Abi, fs, net, scope);
        foreach (string dir in dirs.Where(_ => random.Next(2) == 0))
        {
            // Whole groups half the time, so the group spellings get exercised.
            Fs access = random.Next(2) == 0 ? fs : (Fs)RandomPart((ulong)fs, random);
            if (access != Fs.None) rs.AddPathRule(dir, access);
        }
        for (int port = random.Next(3); port > 0 && net != LandlockAccessNet.None; port--)
        {
            var access = (LandlockAccessNet)RandomPart((ulong)net, random);
            if (access != LandlockAccessNet.None) rs.AddNetRule(random.Next(65536), access);
        }
        return rs;
    }

    private static ulong RandomPart(ulong bits, System.Random random) =>
        random.Next(4) == 0 ? bits : bits & (ulong)random.NextInt64();

    private static void AssertValid(string text, PolicyFormat format)
    {
        JsonNode document = format == PolicyFormat.Json ? JsonNode.Parse(text)! : TomlAsJson(text);
        EvaluationResults results = Schema.Evaluate(JsonDocument.Parse(document.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, string.Join("; ", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    // The schema speaks JSON's camelCase; a TOML policy is the same document with snake_case keys.
    private static JsonNode TomlAsJson(string toml)
    {
        PolicyNode root = TomlPolicyReader.Read(toml, "export.toml");
        return ToJson(root)!;
    }

    private static JsonNode? ToJson(PolicyNode node) => node.Kind switch
    {
        PolicyNodeKind.Table => new JsonObject(node.Members.Select(m => new System.Collections.Generic.KeyValuePair<string, JsonNode?>(CamelCase(m.Key), ToJson(m.Value)))),
        PolicyNodeKind.Array => new JsonArray(node.Items.Select(ToJson).ToArray()),
        PolicyNodeKind.String => JsonValue.Create(node.Text),
        PolicyNodeKind.Integer => JsonValue.Create((long)node.Integer),
        _ => null,
    };

    private static string CamelCase(string snake) =>
        string.Concat(snake.Split('_').Select((part, i) => i == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
}
