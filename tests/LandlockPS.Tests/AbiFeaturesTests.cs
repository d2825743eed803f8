using System;
using System.Linq;
using LandlockPS.Core.Landlock;
using Xunit;

namespace LandlockPS.Tests;

public class AbiFeaturesTests
{
    [Theory]
    [InlineData(LandlockAbi.V1, "5.13", 0x1FFFUL, 0UL, 0UL, 0u)]
    [InlineData(LandlockAbi.V2, "5.19", 0x3FFFUL, 0UL, 0UL, 0u)]
    [InlineData(LandlockAbi.V3, "6.2", 0x7FFFUL, 0UL, 0UL, 0u)]
    [InlineData(LandlockAbi.V4, "6.7", 0x7FFFUL, 0x3UL, 0UL, 0u)]
    [InlineData(LandlockAbi.V5, "6.10", 0xFFFFUL, 0x3UL, 0UL, 0u)]
    [InlineData(LandlockAbi.V6, "6.12", 0xFFFFUL, 0x3UL, 0x3UL, 0u)]
    [InlineData(LandlockAbi.V7, "6.15", 0xFFFFUL, 0x3UL, 0x3UL, 0x7u)]
    [InlineData(LandlockAbi.V8, "7.0", 0xFFFFUL, 0x3UL, 0x3UL, 0xFu)]
    [InlineData(LandlockAbi.V9, "7.1", 0x1FFFFUL, 0x3UL, 0x3UL, 0xFu)]
    [InlineData(LandlockAbi.V10, "7.2", 0x1FFFFUL, 0xFUL, 0x3UL, 0xFu)]
    public void EachAbiHasTheKernelsBits(LandlockAbi abi, string kernel, ulong fs, ulong net, ulong scope, uint flags)
    {
        AbiFeatures f = AbiFeatures.Of(abi);
        Assert.Equal(Version.Parse(kernel), f.Kernel);
        Assert.Equal(fs, (ulong)f.AccessFs);
        Assert.Equal(net, (ulong)f.AccessNet);
        Assert.Equal(scope, (ulong)f.Scope);
        Assert.Equal(flags, (uint)f.RestrictFlags);
    }

    [Fact]
    public void BitPositionsMatchTheUapiHeader()
    {
        Assert.Equal(1UL << 13, (ulong)LandlockAccessFs.Refer);
        Assert.Equal(1UL << 15, (ulong)LandlockAccessFs.IoctlDev);
        Assert.Equal(1UL << 16, (ulong)LandlockAccessFs.ResolveUnix);
        Assert.Equal(1UL << 2, (ulong)LandlockAccessNet.BindUdp);
        Assert.Equal(1UL << 3, (ulong)LandlockAccessNet.ConnectSendUdp);
        Assert.Equal(1UL << 1, (ulong)LandlockScope.Signal);
        Assert.Equal(1u << 2, (uint)LandlockRestrictFlags.LogSubdomainsOff);
        Assert.Equal(1u << 3, (uint)LandlockRestrictFlags.Tsync);
    }

    [Fact]
    public void EveryAbiIncludesThePreviousOne()
    {
        foreach ((AbiFeatures older, AbiFeatures newer) in AbiFeatures.All.Zip(AbiFeatures.All.Skip(1)))
        {
            Assert.Equal(older.AccessFs, newer.AccessFs & older.AccessFs);
            Assert.Equal(older.AccessNet, newer.AccessNet & older.AccessNet);
            Assert.Equal(older.Scope, newer.Scope & older.Scope);
            Assert.Equal(older.RestrictFlags, newer.RestrictFlags & older.RestrictFlags);
            Assert.True(newer.Kernel > older.Kernel);
            Assert.NotEqual(string.Empty, newer.Added);
        }
    }

    [Fact]
    public void NewestKnowsEveryDefinedBit()
    {
        AbiFeatures newest = AbiFeatures.Of(AbiFeatures.Newest);
        Assert.Equal(LandlockAccessFs.ReadWriteExecute, newest.AccessFs);
        ulong net = Enum.GetValues<LandlockAccessNet>().Aggregate(0UL, (a, v) => a | (ulong)v);
        Assert.Equal(net, (ulong)newest.AccessNet);
        Assert.Equal(10, AbiFeatures.All.Count);
    }

    [Theory]
    [InlineData(LandlockAccessFs.ReadFile, LandlockAbi.V1)]
    [InlineData(LandlockAccessFs.Refer, LandlockAbi.V2)]
    [InlineData(LandlockAccessFs.Truncate | LandlockAccessFs.ReadFile, LandlockAbi.V3)]
    [InlineData(LandlockAccessFs.IoctlDev, LandlockAbi.V5)]
    [InlineData(LandlockAccessFs.ResolveUnix, LandlockAbi.V9)]
    public void FirstProvidingNamesTheOldestAbi(LandlockAccessFs access, LandlockAbi expected) =>
        Assert.Equal(expected, AbiFeatures.FirstProviding(access));

    [Fact]
    public void FirstProvidingCoversEveryKind()
    {
        Assert.Equal(LandlockAbi.V10, AbiFeatures.FirstProviding(LandlockAccessNet.BindUdp));
        Assert.Equal(LandlockAbi.V6, AbiFeatures.FirstProviding(LandlockScope.Signal));
        Assert.Equal(LandlockAbi.V8, AbiFeatures.FirstProviding(LandlockRestrictFlags.Tsync));
        Assert.Null(AbiFeatures.FirstProviding((LandlockAccessFs)(1UL << 40)));
    }

    [Fact]
    public void UnknownAbiIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AbiFeatures.Of((LandlockAbi)11));
        Assert.Throws<ArgumentOutOfRangeException>(() => AbiFeatures.Of((LandlockAbi)0));
    }

    [Fact]
    public void AddedListsWhatEachAbiBrings()
    {
        Assert.Equal("Refer", AbiFeatures.Of(LandlockAbi.V2).Added);
        Assert.Equal("BindTcp, ConnectTcp", AbiFeatures.Of(LandlockAbi.V4).Added);
        Assert.Equal("BindUdp, ConnectSendUdp, quiet settings", AbiFeatures.Of(LandlockAbi.V10).Added);
    }
}
