using LandlockPS.Core.Landlock;
using Xunit;

namespace LandlockPS.Tests;

public class AccessTextTests
{
    private const LandlockAccessFs All = LandlockAccessFs.ReadWriteExecute;
    private const LandlockAccessFs FsV5 = All & ~LandlockAccessFs.ResolveUnix;

    [Theory]
    [InlineData(LandlockAccessFs.None, All, "None")]
    [InlineData(LandlockAccessFs.ReadOnly, All, "ReadOnly")]
    [InlineData(LandlockAccessFs.ReadExecute | LandlockAccessFs.Truncate, All, "ReadExecute, Truncate")]
    [InlineData(LandlockAccessFs.ReadWriteExecute, All, "ReadWriteExecute")]
    [InlineData(LandlockAccessFs.ReadFile, All, "ReadFile")]
    [InlineData(LandlockAccessFs.ReadWriteExecute & ~LandlockAccessFs.ResolveUnix, All, "All but ResolveUnix")]
    [InlineData(LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile, LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile, "ReadWrite")]
    [InlineData(LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir, LandlockAccessFs.ReadOnly, "ReadOnly")]
    // A group narrowed by the ruleset's ABI is still named as the group, not as "All but" the one right it lacks.
    [InlineData(FsV5 & ~LandlockAccessFs.Execute, FsV5, "ReadWrite")]
    [InlineData(FsV5, FsV5, "ReadWriteExecute")]
    [InlineData(FsV5 & ~LandlockAccessFs.Execute & ~LandlockAccessFs.IoctlDev, FsV5, "All but Execute, IoctlDev")]
    // "All but" only where it names fewer rights than it stands for: in a ruleset of two or three rights,
    // "All but ReadDir" for ReadFile sends the reader to look up the ruleset.
    [InlineData(LandlockAccessFs.ReadFile, LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir, "ReadFile")]
    [InlineData(LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile, LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg, "WriteFile, ReadFile")]
    [InlineData(LandlockAccessFs.ReadFile | LandlockAccessFs.MakeReg, LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg, "ReadFile, MakeReg")]
    [InlineData(LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir | LandlockAccessFs.MakeReg, LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir | LandlockAccessFs.MakeReg | LandlockAccessFs.MakeDir, "All but MakeDir")]
    // A group whose name says write is not named for rights that write nothing: landlockconfig's
    // abi.read_execute (with Refer) in a ruleset that handles just that read as "ReadWriteExecute".
    [InlineData(LandlockAccessFs.ReadExecute | LandlockAccessFs.Refer, LandlockAccessFs.ReadExecute | LandlockAccessFs.Refer, "ReadExecute, Refer")]
    [InlineData(LandlockAccessFs.ReadOnly | LandlockAccessFs.Refer, LandlockAccessFs.ReadOnly | LandlockAccessFs.Refer, "ReadOnly, Refer")]
    [InlineData(LandlockAccessFs.ReadOnly | LandlockAccessFs.Truncate, LandlockAccessFs.ReadOnly | LandlockAccessFs.Truncate, "ReadWrite")]
    public void FormatsCompactly(LandlockAccessFs access, LandlockAccessFs universe, string expected) =>
        Assert.Equal(expected, AccessText.Format(access, universe));

    [Fact]
    public void FormatFlagsListsSingleBits()
    {
        Assert.Equal("BindTcp, ConnectSendUdp", AccessText.FormatFlags(LandlockAccessNet.BindTcp | LandlockAccessNet.ConnectSendUdp));
        Assert.Equal("None", AccessText.FormatFlags(LandlockScope.None));
        Assert.Equal("0x10", AccessText.FormatFlags((LandlockAccessNet)0x10));
    }

    [Theory]
    [InlineData("ReadExecute", 28, "ReadExecute")]
    [InlineData("ReadOnly, WriteFile, RemoveFile, MakeDir", 20, "ReadOnly, WriteFile,\nRemoveFile, MakeDir")]
    [InlineData("All but Execute, IoctlDev", 8, "All but Execute,\nIoctlDev")]
    [InlineData("WriteFile, ReadFile", 19, "WriteFile, ReadFile")]
    public void WrapsListsAfterCommasOnly(string text, int width, string expected) =>
        Assert.Equal(expected, AccessText.Wrap(text, width));

    [Fact]
    public void RuleInARulesetNamesItsAccessRelativeToWhatTheRulesetHandles()
    {
        var rs = new LandlockRuleset(LandlockAbi.V5);
        LandlockPathRule rule = rs.AddPathRule("/var", rs.ResolveAccessFs([LandlockAccessFs.ReadWrite]));

        Assert.Equal(FsV5, rule.RulesetHandledAccessFs);
        Assert.Equal("ReadWrite", rule.DescribeAccess());
        Assert.Equal("ReadWrite on /var", rule.ToString());
        Assert.Equal("ReadWrite on /var", rs.Clone().PathRules[0].ToString());
    }

    [Fact]
    public void RuleOutsideARulesetNamesItsAccessAgainstEveryRight()
    {
        var rule = new LandlockPathRule("/var", FsV5 & ~LandlockAccessFs.Execute);

        Assert.Null(rule.RulesetHandledAccessFs);
        Assert.Equal("All but Execute, ResolveUnix", rule.DescribeAccess());
    }

    [Fact]
    public void TheHandledRightsAreNotPartOfARulesIdentity()
    {
        var inRuleset = new LandlockPathRule("/usr", LandlockAccessFs.ReadExecute) { RulesetHandledAccessFs = FsV5 };
        var alone = new LandlockPathRule("/usr", LandlockAccessFs.ReadExecute);

        Assert.Equal(alone, inRuleset);
        Assert.Equal(alone.GetHashCode(), inRuleset.GetHashCode());
        Assert.NotEqual(alone, alone with { Access = LandlockAccessFs.ReadOnly });
    }
}
