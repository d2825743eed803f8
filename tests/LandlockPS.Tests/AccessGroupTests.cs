using LandlockPS.Core.Landlock;
using Xunit;

namespace LandlockPS.Tests;

public class AccessGroupTests
{
    private const LandlockAccessFs V3 = (LandlockAccessFs)0x7FFF;

    [Theory]
    [InlineData(LandlockAccessFs.ReadOnly, LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir)]
    [InlineData(LandlockAccessFs.ReadExecute, LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir | LandlockAccessFs.Execute)]
    [InlineData(LandlockAccessFs.ReadWrite, V3 & ~LandlockAccessFs.Execute)]
    [InlineData(LandlockAccessFs.ReadWriteExecute, V3)]
    public void GroupsResolveAgainstTheUniverse(LandlockAccessFs group, LandlockAccessFs expected)
    {
        (LandlockAccessFs fromGroups, LandlockAccessFs explicitRights) = AccessGroups.Resolve([group], V3);
        Assert.Equal(expected, fromGroups);
        Assert.Equal(LandlockAccessFs.None, explicitRights);
    }

    [Fact]
    public void ReadWriteIsEverythingButExecute()
    {
        Assert.Equal(LandlockAccessFs.ReadWriteExecute & ~LandlockAccessFs.Execute, LandlockAccessFs.ReadWrite);
        Assert.True(LandlockAccessFs.ReadWrite.HasFlag(LandlockAccessFs.ResolveUnix));
    }

    [Fact]
    public void ExplicitRightsAreKeptApartFromGroups()
    {
        (LandlockAccessFs fromGroups, LandlockAccessFs explicitRights) =
            AccessGroups.Resolve([LandlockAccessFs.ReadOnly, LandlockAccessFs.ResolveUnix], V3);
        Assert.Equal(LandlockAccessFs.ReadOnly, fromGroups);
        Assert.Equal(LandlockAccessFs.ResolveUnix, explicitRights);
    }

    [Fact]
    public void AGroupOutsideTheUniverseGrantsOnlyWhatIsHandled()
    {
        (LandlockAccessFs fromGroups, _) = AccessGroups.Resolve([LandlockAccessFs.ReadWrite], LandlockAccessFs.WriteFile);
        Assert.Equal(LandlockAccessFs.WriteFile, fromGroups);
    }

    [Theory]
    [InlineData(LandlockAccessFs.ReadOnly, true)]
    [InlineData(LandlockAccessFs.ReadWriteExecute, true)]
    [InlineData(LandlockAccessFs.ReadFile, false)]
    [InlineData(LandlockAccessFs.ReadFile | LandlockAccessFs.Execute, false)]
    [InlineData(LandlockAccessFs.None, false)]
    public void IsGroupIsExact(LandlockAccessFs value, bool expected) => Assert.Equal(expected, AccessGroups.IsGroup(value));

    [Fact]
    public void FileApplicableRightsAreTheKernels()
    {
        Assert.Equal(
            LandlockAccessFs.Execute | LandlockAccessFs.WriteFile | LandlockAccessFs.ReadFile | LandlockAccessFs.Truncate |
            LandlockAccessFs.IoctlDev | LandlockAccessFs.ResolveUnix,
            AccessGroups.FileApplicable);
        Assert.False(AccessGroups.FileApplicable.HasFlag(LandlockAccessFs.ReadDir));
        Assert.False(AccessGroups.FileApplicable.HasFlag(LandlockAccessFs.Refer));
    }
}
