using LandlockPS.Core.Landlock;
using Xunit;

namespace LandlockPS.Tests;

public class AccessTextTests
{
    private const LandlockAccessFs All = LandlockAccessFs.ReadWriteExecute;

    [Theory]
    [InlineData(LandlockAccessFs.None, All, "None")]
    [InlineData(LandlockAccessFs.ReadOnly, All, "ReadOnly")]
    [InlineData(LandlockAccessFs.ReadExecute | LandlockAccessFs.Truncate, All, "ReadExecute, Truncate")]
    [InlineData(LandlockAccessFs.ReadWriteExecute, All, "ReadWriteExecute")]
    [InlineData(LandlockAccessFs.ReadFile, All, "ReadFile")]
    [InlineData(LandlockAccessFs.ReadWriteExecute & ~LandlockAccessFs.ResolveUnix, All, "All but ResolveUnix")]
    [InlineData(LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile, LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile, "ReadWrite")]
    [InlineData(LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir, LandlockAccessFs.ReadOnly, "ReadOnly")]
    public void FormatsCompactly(LandlockAccessFs access, LandlockAccessFs universe, string expected) =>
        Assert.Equal(expected, AccessText.Format(access, universe));

    [Fact]
    public void FormatFlagsListsSingleBits()
    {
        Assert.Equal("BindTcp, ConnectSendUdp", AccessText.FormatFlags(LandlockAccessNet.BindTcp | LandlockAccessNet.ConnectSendUdp));
        Assert.Equal("None", AccessText.FormatFlags(LandlockScope.None));
        Assert.Equal("0x10", AccessText.FormatFlags((LandlockAccessNet)0x10));
    }
}
