using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Policy;
using Xunit;
using static LandlockPS.Tests.PolicyFixtures;

namespace LandlockPS.Tests;

/// <summary>Export then import gives the same ruleset, and what is written validates against landlockconfig's schema.</summary>
public class PolicyExportTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(PathOf("landlockconfig.schema.json")));

    public static TheoryData<string, PolicyFormat> FixturesByFormat()
    {
        var data = new TheoryData<string, PolicyFormat>();
        foreach (string file in new[] { "mini-write-tmp.json", "mini-write-tmp.toml", "mini-scoped.json", "verbose-write-tmp.json", "micro-var.toml" })
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
    public void WhatTheFormatCannotCarryIsWarnedAbout()
    {
        var rs = new LandlockRuleset(LandlockAbi.V10, compatibilityLevel: CompatibilityLevel.HardRequirement, logFlags: LandlockRestrictFlags.LogNewExecOn);

        PolicyExportResult exported = PolicyExport.ToText(rs, PolicyFormat.Json);

        Assert.Equal(3, exported.Warnings.Count);
        Assert.Contains(exported.Warnings, w => w.Contains("resolve_unix", System.StringComparison.Ordinal));
        AssertSameRuleset(new LandlockRuleset(LandlockAbi.V10), Parse(exported.Text, PolicyFormat.Json).Ruleset);
    }

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
