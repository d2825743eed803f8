using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Policy;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// Every document case of landlockconfig's own tests (see <see cref="UpstreamCases"/>), read by the
/// importer: it accepts what upstream accepts, with the same handled rights and rules, refuses what
/// upstream refuses with a policy error, and composes pairs the same way in either order.
/// </summary>
public class PolicyUpstreamCaseTests
{
    public static TheoryData<string> Names() => new(UpstreamCases.All.Keys);

    [Fact]
    public void TheTableHoldsEveryKindOfCase()
    {
        Assert.True(UpstreamCases.All.Count >= 150, $"only {UpstreamCases.All.Count} cases");
        Assert.Contains(UpstreamCases.All.Values, c => c.Documents.Length == 2);
        Assert.Contains(UpstreamCases.All.Values, c => c.Format == PolicyFormat.Toml && c.Expected is null);
        Assert.Contains(UpstreamCases.All.Values, c => c.Format == PolicyFormat.Toml && c.Expected is not null);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void AgreesWithUpstream(string name)
    {
        UpstreamCase test = UpstreamCases.All[name];
        using var tree = new TempTree();
        foreach ((string path, _) in test.Expected?.Paths ?? []) tree.Dir(path);

        LandlockRuleset? imported = Import(test.Documents, test.Format, tree.Root);

        if (test.Expected is null)
        {
            Assert.Null(imported);
            return;
        }
        Assert.NotNull(imported);
        AssertOutcome(test.Expected, imported, tree.Root);
        if (test.Documents.Length == 2)
        {
            // Commutative, and idempotent for each part and for the composition.
            AssertOutcome(test.Expected, Import([test.Documents[1], test.Documents[0]], test.Format, tree.Root)!, tree.Root);
            AssertOutcome(test.Expected, Import([.. test.Documents, .. test.Documents], test.Format, tree.Root)!, tree.Root);
            foreach (string part in test.Documents)
            {
                PolicyFixtures.AssertSameRuleset(Import([part], test.Format, tree.Root)!, Import([part, part], test.Format, tree.Root)!);
            }
        }
    }

    /// <summary>The ruleset the documents compose into, or null when the importer refuses them (only ever with a PolicyException).</summary>
    private static LandlockRuleset? Import(string[] documents, PolicyFormat format, string baseDirectory)
    {
        try
        {
            LandlockPolicy[] parts = documents
                .Select((text, i) => PolicyImport.Read(System.Text.Encoding.UTF8.GetBytes(text), $"doc{i + 1}", format))
                .ToArray();
            return PolicyImport.ToRuleset(LandlockPolicy.Compose(parts), baseDirectory, name: null).Ruleset;
        }
        catch (PolicyException)
        {
            return null;
        }
    }

    private static void AssertOutcome(UpstreamOutcome expected, LandlockRuleset actual, string root)
    {
        Assert.Equal(expected.HandledFs, actual.HandledAccessFs);
        Assert.Equal(expected.HandledNet, actual.HandledAccessNet);
        Assert.Equal(expected.Scope, actual.Scope);
        Assert.Equal(
            expected.Paths.Select(p => (Under(root, p.Path), p.Access)).OrderBy(p => p.Item1, StringComparer.Ordinal),
            actual.PathRules.Select(r => (r.Path, r.Access)).OrderBy(p => p.Path, StringComparer.Ordinal));
        Assert.Equal(expected.Ports.OrderBy(p => p.Port), actual.NetRules.Select(r => (r.Port, r.Access)).OrderBy(p => p.Port));
    }

    // Upstream keeps relative paths (normalized as PathBuf does); here they start at the base directory.
    private static string Under(string root, string relative) =>
        relative == "." ? root : $"{root}/{string.Join('/', relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "."))}";
}
