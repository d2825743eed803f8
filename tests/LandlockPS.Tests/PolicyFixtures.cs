using System;
using System.IO;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Policy;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>The landlockconfig fixtures and how to read them in tests.</summary>
internal static class PolicyFixtures
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string PathOf(string name) => Path.Combine(Folder, name);

    public static PolicyImportResult Import(string name, string baseDirectory = "/usr") =>
        PolicyImport.FromFile(PathOf(name), format: null, baseDirectory, name: null);

    public static PolicyImportResult Parse(string text, PolicyFormat format, string baseDirectory = "/usr") =>
        PolicyImport.FromBytes(System.Text.Encoding.UTF8.GetBytes(text), "test-policy", format, baseDirectory, name: null);

    public static PolicyException Rejects(string text, PolicyFormat format) =>
        Assert.Throws<PolicyException>(() => Parse(text, format));

    /// <summary>Rulesets are equal when they handle the same and hold the same rules, in any order.</summary>
    public static void AssertSameRuleset(LandlockRuleset expected, LandlockRuleset actual)
    {
        Assert.Equal(expected.Abi, actual.Abi);
        Assert.Equal(expected.HandledAccessFs, actual.HandledAccessFs);
        Assert.Equal(expected.HandledAccessNet, actual.HandledAccessNet);
        Assert.Equal(expected.Scope, actual.Scope);
        Assert.Equal(expected.PathRules.OrderBy(r => r.Path, StringComparer.Ordinal), actual.PathRules.OrderBy(r => r.Path, StringComparer.Ordinal));
        Assert.Equal(expected.NetRules.OrderBy(r => r.Port), actual.NetRules.OrderBy(r => r.Port));
    }
}
