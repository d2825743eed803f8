using System;
using System.Linq;
using LandlockPS.Core.Landlock;
using Xunit;

namespace LandlockPS.Tests;

public class ProfileTests
{
    [Fact]
    public void TheCatalogueHasOneProfilePerNameInOrder()
    {
        Assert.Equal(Enum.GetValues<LandlockProfileName>(), LandlockProfiles.All.Select(p => p.Name));
        Assert.All(LandlockProfiles.All, p => Assert.Same(p, LandlockProfiles.Get(p.Name)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LandlockProfiles.Get((LandlockProfileName)99));
    }

    [Fact]
    public void EveryRuleIsAbsoluteUniqueAndWithinTheNewestAbi()
    {
        AbiFeatures newest = AbiFeatures.Of(AbiFeatures.Newest);
        foreach (LandlockProfile profile in LandlockProfiles.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(profile.Description));
            Assert.False(string.IsNullOrWhiteSpace(profile.Caveat));
            Assert.NotEmpty(profile.PathRules);
            Assert.All(profile.PathRules, r =>
            {
                Assert.True(System.IO.Path.IsPathFullyQualified(r.Path), r.Path);
                Assert.NotEqual(LandlockAccessFs.None, r.Access);
                Assert.Equal(LandlockAccessFs.None, r.Access & ~newest.AccessFs);
            });
            Assert.All(profile.NetRules, r =>
            {
                Assert.InRange(r.Port, 0, LandlockNetRule.MaxPort);
                Assert.NotEqual(LandlockAccessNet.None, r.Access);
                Assert.Equal(LandlockAccessNet.None, r.Access & ~newest.AccessNet);
            });
            Assert.Equal(profile.PathRules.Count, profile.PathRules.Select(r => r.Path).Distinct().Count());
            Assert.Equal(profile.NetRules.Count, profile.NetRules.Select(r => r.Port).Distinct().Count());
        }
    }

    // A rule on a file that named directory rights would read as more than the kernel receives.
    [Fact]
    public void RulesOnFilesNameFileRightsOnly()
    {
        var onFiles = LandlockProfiles.All.SelectMany(p => p.PathRules).Where(r => RuleTarget.Probe(r.Path) == RuleTargetKind.File);
        Assert.All(onFiles, r => Assert.Equal(LandlockAccessFs.None, r.Access & ~AccessGroups.FileApplicable));
    }

    [Fact]
    public void NoProfileGrantsExecuteWhereItGrantsWriting()
    {
        const LandlockAccessFs writing = LandlockAccessFs.ReadWrite & ~LandlockAccessFs.ReadOnly;
        Assert.All(LandlockProfiles.All.SelectMany(p => p.PathRules),
            r => Assert.False((r.Access & LandlockAccessFs.Execute) != 0 && (r.Access & writing) != 0, r.ToString()));
    }

    [Fact]
    public void NoProfileLetsTheSandboxReachSocketsOrDevicesInWritableTrees()
    {
        // A writable shared tree holds other users' sockets and could hold device nodes.
        const LandlockAccessFs outward = LandlockAccessFs.ResolveUnix | LandlockAccessFs.MakeChar | LandlockAccessFs.MakeBlock | LandlockAccessFs.IoctlDev;
        Assert.All(LandlockProfiles.All.SelectMany(p => p.PathRules).Where(r => (r.Access & LandlockAccessFs.WriteFile) != 0 && !r.Path.StartsWith("/dev/", System.StringComparison.Ordinal)),
            r => Assert.Equal(LandlockAccessFs.None, r.Access & outward));
    }

    [Fact]
    public void AddingAProfileGrantsOnlyWhatTheRulesetHandles()
    {
        var ruleset = new LandlockRuleset(LandlockAbi.V7, LandlockAccessFs.ReadFile);
        var outcomes = ruleset.AddProfile(LandlockProfileName.WebClient);

        Assert.Equal(LandlockAccessNet.ConnectTcp, ruleset.NetRules.Single(r => r.Port == 53).Access);
        Assert.All(ruleset.PathRules, r => Assert.Equal(LandlockAccessFs.ReadFile, r.Access));
        var dns = outcomes.Single(o => o.Rule.Contains("port 53"));
        Assert.Null(dns.SkipReason);
        Assert.Contains("not ConnectSendUdp", dns.Rule);
    }

    [Fact]
    public void RightsTheRulesetDoesNotHandleAreSkippedNotRefused()
    {
        var ruleset = new LandlockRuleset(LandlockAbi.V7, handledAccessFs: LandlockAccessFs.None);
        var outcomes = ruleset.AddProfile(LandlockProfileName.SystemReadOnly);

        Assert.Empty(ruleset.PathRules);
        Assert.All(outcomes, o => Assert.NotNull(o.SkipReason));
        Assert.Equal([LandlockProfileName.SystemReadOnly], ruleset.Profiles);
    }

    [Fact]
    public void PathsMissingHereAreSkippedAndSaidSo()
    {
        var ruleset = new LandlockRuleset(LandlockAbi.V7);
        foreach (LandlockProfile profile in LandlockProfiles.All)
        {
            // Outcomes come in rule order: path rules first.
            foreach ((LandlockPathRule rule, LandlockProfileOutcome outcome) in profile.PathRules.Zip(ruleset.AddProfile(profile.Name)))
            {
                bool missing = RuleTarget.Probe(rule.Path) == RuleTargetKind.Missing;
                Assert.Equal(missing, outcome.SkipReason == "it does not exist on this machine");
                Assert.Equal(!missing, ruleset.PathRules.Any(r => r.Path == rule.Path));
            }
        }
    }

    [Fact]
    public void ProfilesAreRecordedOnceAndKeptByClone()
    {
        var ruleset = new LandlockRuleset(LandlockAbi.V7);
        ruleset.AddProfile(LandlockProfileName.SharedTemp);
        ruleset.AddProfile(LandlockProfileName.ProcessInfo);
        ruleset.AddProfile(LandlockProfileName.SharedTemp);

        Assert.Equal([LandlockProfileName.SharedTemp, LandlockProfileName.ProcessInfo], ruleset.Profiles);
        Assert.Single(ruleset.PathRules, r => r.Path == "/tmp");
        LandlockRuleset copy = ruleset.Clone();
        Assert.Equal(ruleset.Profiles, copy.Profiles);
        copy.AddProfile(LandlockProfileName.WebClient);
        Assert.DoesNotContain(LandlockProfileName.WebClient, ruleset.Profiles);
    }
}
