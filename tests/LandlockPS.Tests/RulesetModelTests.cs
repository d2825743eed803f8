using System;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using Xunit;

namespace LandlockPS.Tests;

public class RulesetModelTests
{
    [Fact]
    public void DefaultHandlesEverythingTheNewestAbiKnows()
    {
        var rs = new LandlockRuleset();
        AbiFeatures newest = AbiFeatures.Of(AbiFeatures.Newest);
        Assert.Equal(AbiFeatures.Newest, rs.Abi);
        Assert.Equal(newest.AccessFs, rs.HandledAccessFs);
        Assert.Equal(newest.AccessNet, rs.HandledAccessNet);
        Assert.Equal(newest.Scope, rs.Scope);
        Assert.Equal(CompatibilityLevel.BestEffort, rs.CompatibilityLevel);
        Assert.Equal(LandlockRestrictFlags.None, rs.LogFlags);
        Assert.Empty(rs.PathRules);
        Assert.Empty(rs.NetRules);
    }

    [Theory]
    [InlineData(LandlockAbi.V1)]
    [InlineData(LandlockAbi.V4)]
    [InlineData(LandlockAbi.V7)]
    public void DefaultsFollowThePinnedAbi(LandlockAbi abi)
    {
        var rs = new LandlockRuleset(abi);
        AbiFeatures f = AbiFeatures.Of(abi);
        Assert.Equal(f.AccessFs, rs.HandledAccessFs);
        Assert.Equal(f.AccessNet, rs.HandledAccessNet);
        Assert.Equal(f.Scope, rs.Scope);
    }

    [Fact]
    public void RightsBeyondThePinnedAbiAreRefused()
    {
        var e = Assert.Throws<LandlockAccessException>(() => new LandlockRuleset(LandlockAbi.V3, LandlockAccessFs.IoctlDev));
        Assert.Equal("AccessNotInAbi", e.ErrorId);
        Assert.Contains("IoctlDev", e.Message);
        Assert.Contains("V5", e.Message);
        Assert.Equal("AccessNotInAbi",
            Assert.Throws<LandlockAccessException>(() => new LandlockRuleset(LandlockAbi.V3, handledAccessNet: LandlockAccessNet.BindTcp)).ErrorId);
        Assert.Equal("AccessNotInAbi",
            Assert.Throws<LandlockAccessException>(() => new LandlockRuleset(LandlockAbi.V5, scope: LandlockScope.Signal)).ErrorId);
        Assert.Equal("AccessNotInAbi",
            Assert.Throws<LandlockAccessException>(() => new LandlockRuleset(LandlockAbi.V6, logFlags: LandlockRestrictFlags.LogNewExecOn)).ErrorId);
    }

    [Fact]
    public void TsyncIsNeverALogFlag()
    {
        var e = Assert.Throws<LandlockAccessException>(() => new LandlockRuleset(logFlags: LandlockRestrictFlags.Tsync));
        Assert.Equal("InvalidLogFlags", e.ErrorId);
    }

    [Fact]
    public void ARulesetThatHandlesNothingCanBeDescribedButNeverCompiled()
    {
        var empty = new LandlockRuleset(handledAccessFs: LandlockAccessFs.None, handledAccessNet: LandlockAccessNet.None, scope: LandlockScope.None);

        Assert.True(empty.HandlesNothing);
        Assert.True(empty.Clone().HandlesNothing);
        Assert.Equal("EmptyRuleset", Assert.Throws<LandlockAccessException>(() => RulesetCompiler.Compile(empty)).ErrorId);
        // The twin that handles one right compiles.
        var one = new LandlockRuleset(handledAccessFs: LandlockAccessFs.Execute, handledAccessNet: LandlockAccessNet.None, scope: LandlockScope.None);
        Assert.False(one.HandlesNothing);
        using CompiledRuleset compiled = RulesetCompiler.Compile(one);
    }

    [Fact]
    public void RulesForTheSameTargetMerge()
    {
        var rs = new LandlockRuleset();
        rs.AddPathRule("/usr", LandlockAccessFs.ReadFile);
        LandlockPathRule merged = rs.AddPathRule("/usr", LandlockAccessFs.Execute);
        rs.AddNetRule(443, LandlockAccessNet.ConnectTcp);
        rs.AddNetRule(443, LandlockAccessNet.BindTcp);
        Assert.Single(rs.PathRules);
        Assert.Equal(LandlockAccessFs.ReadFile | LandlockAccessFs.Execute, merged.Access);
        Assert.Equal(LandlockAccessNet.ConnectTcp | LandlockAccessNet.BindTcp, Assert.Single(rs.NetRules).Access);
    }

    [Fact]
    public void UnhandledRightsCannotBeGranted()
    {
        var rs = new LandlockRuleset(handledAccessFs: LandlockAccessFs.ReadFile, handledAccessNet: LandlockAccessNet.BindTcp);
        Assert.Equal("AccessNotHandled", Assert.Throws<LandlockAccessException>(() => rs.AddPathRule("/tmp", LandlockAccessFs.WriteFile)).ErrorId);
        Assert.Equal("AccessNotHandled", Assert.Throws<LandlockAccessException>(() => rs.AddNetRule(80, LandlockAccessNet.ConnectTcp)).ErrorId);
        Assert.Empty(rs.PathRules);
        Assert.Empty(rs.NetRules);
    }

    [Fact]
    public void ResolveAccessFsResolvesGroupsAndChecksExplicitRights()
    {
        var rs = new LandlockRuleset(LandlockAbi.V2);
        Assert.Equal(AbiFeatures.Of(LandlockAbi.V2).AccessFs & ~LandlockAccessFs.Execute, rs.ResolveAccessFs([LandlockAccessFs.ReadWrite]));
        Assert.Equal("AccessNotHandled", Assert.Throws<LandlockAccessException>(() => rs.ResolveAccessFs([LandlockAccessFs.Truncate])).ErrorId);
    }

    [Fact]
    public void EmptyAccessIsNotApplicable()
    {
        var rs = new LandlockRuleset();
        Assert.Equal("AccessNotApplicable", Assert.Throws<LandlockAccessException>(() => rs.AddPathRule("/tmp", LandlockAccessFs.None)).ErrorId);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void PortsOutOfRangeAreRefused(int port)
    {
        var rs = new LandlockRuleset();
        Assert.Equal("InvalidPort", Assert.Throws<LandlockAccessException>(() => rs.AddNetRule(port, LandlockAccessNet.BindTcp)).ErrorId);
    }

    [Fact]
    public void RulePathsMustBeAbsolute()
    {
        var rs = new LandlockRuleset();
        Assert.Throws<ArgumentException>(() => rs.AddPathRule("relative/dir", LandlockAccessFs.ReadFile));
    }
}
