using System;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;
using Xunit;

namespace LandlockPS.Tests;

public class LandlockSupportTests
{
    [Fact]
    public void TheTestMachineHasLandlock()
    {
        LandlockSupport s = KernelFacts.Support;
        Assert.Equal(LandlockAvailability.Available, s.Status);
        Assert.True(s.KernelAbi >= 1);
        Assert.Equal((LandlockAbi)Math.Min(s.KernelAbi, (int)AbiFeatures.Newest), s.EffectiveAbi);
        Assert.Equal(AbiFeatures.Newest, s.NewestKnownAbi);
        Assert.Null(s.Reason);
        Assert.Null(s.TestAbiCap);
        Assert.False(string.IsNullOrWhiteSpace(s.KernelRelease));
        Assert.Equal(AbiFeatures.Of(s.EffectiveAbi!.Value).AccessFs, s.SupportedAccessFs);
    }

    [Fact]
    public void RequireAbiSkipsOutsideItsRangeAndNamesTheKernelsAbi()
    {
        int kernel = KernelFacts.Support.KernelAbi;
        Assert.Null(RequireAbi.SkipReason(1, 0));
        Assert.Null(RequireAbi.SkipReason(kernel, kernel + 1));
        Assert.Equal($"needs Landlock ABI {kernel + 1} or newer; this kernel has {kernel}", RequireAbi.SkipReason(kernel + 1, 0));
        Assert.Equal($"needs a kernel before Landlock ABI {kernel}; this kernel has {kernel}", RequireAbi.SkipReason(1, kernel));
        Assert.Equal(RequireAbi.SkipReason(99, 0), new RequireAbiFactAttribute(99).Skip);
        Assert.Null(new RequireAbiTheoryAttribute(1).Skip);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void ACapLowersTheEffectiveAbi(int cap)
    {
        LandlockSupport s = LandlockSupport.Query(cap);
        Assert.Equal(LandlockAvailability.Available, s.Status);
        Assert.Equal((LandlockAbi)Math.Min(cap, KernelFacts.Support.KernelAbi), s.EffectiveAbi);
        Assert.Equal(KernelFacts.Support.KernelAbi, s.KernelAbi);
        Assert.Equal(cap, s.TestAbiCap);
    }

    [Fact]
    public void ACapNeverRaisesTheAbi()
    {
        LandlockSupport s = LandlockSupport.Query(1000);
        Assert.Equal(KernelFacts.Support.EffectiveAbi, s.EffectiveAbi);
    }

    [Fact]
    public void ACapOfZeroActsAsAKernelWithoutLandlock()
    {
        LandlockSupport s = LandlockSupport.Query(0);
        Assert.Equal(LandlockAvailability.NotImplemented, s.Status);
        Assert.Null(s.EffectiveAbi);
        Assert.Equal(LandlockAccessFs.None, s.SupportedAccessFs);
        Assert.Contains(LandlockSupport.AbiCapVariable, s.Reason);
        var e = Assert.Throws<LandlockPS.Core.LandlockUnavailableException>(s.EnsureAvailable);
        Assert.Equal("LandlockNotSupported", e.ErrorId);
    }

    [Theory]
    [InlineData(Errno.EOPNOTSUPP, LandlockAvailability.NotEnabled, "lsm=")]
    [InlineData(Errno.ENOSYS, LandlockAvailability.NotImplemented, "5.13")]
    public void UnavailableKernelsGetAnActionableReason(int errno, LandlockAvailability expected, string advice)
    {
        (LandlockAvailability availability, string reason) = LandlockSupport.Unavailable(errno);
        Assert.Equal(expected, availability);
        Assert.Contains(advice, reason);
    }

    [Fact]
    public void ErrataAreDecodedFromTheBitmask()
    {
        var errata = LandlockErratum.FromBitmask(0b10101);
        Assert.Equal([1, 3, 5], errata.Select(e => e.Id));
        Assert.True(errata[0].Known);
        Assert.Equal(LandlockAbi.V4, errata[0].AffectedSince);
        Assert.False(errata[2].Known);
        Assert.Empty(LandlockErratum.FromBitmask(0));
    }

    [Fact]
    public void TheKernelsErrataAreKnown()
    {
        // Every erratum this kernel reports should be one the module can describe.
        Assert.All(KernelFacts.Support.Errata, e => Assert.True(e.Known, $"unknown erratum {e.Id}"));
    }
}
