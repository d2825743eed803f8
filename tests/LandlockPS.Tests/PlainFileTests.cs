using System.IO;
using LandlockPS.Core.Native;
using Xunit;

namespace LandlockPS.Tests;

public class PlainFileTests
{
    [Fact]
    public void CopiesARegularFileWithinTheLimit()
    {
        using var tree = new TempTree();
        string source = tree.File("source", "twelve bytes");
        string target = Path.Combine(tree.Root, "target");

        Assert.True(PlainFile.TryCopy(source, target, maxBytes: 12));
        Assert.Equal("twelve bytes", File.ReadAllText(target));
    }

    [Fact]
    public void RefusesFilesOverTheLimitOrEmpty()
    {
        using var tree = new TempTree();
        string target = Path.Combine(tree.Root, "target");

        Assert.False(PlainFile.TryCopy(tree.File("big", "thirteen byte"), target, maxBytes: 12));
        Assert.False(PlainFile.TryCopy(tree.File("empty", string.Empty), target, maxBytes: 12));
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void RefusesLinksDevicesAndFolders()
    {
        using var tree = new TempTree();
        string secret = tree.File("secret", "classified");
        string link = Path.Combine(tree.Root, "link");
        File.CreateSymbolicLink(link, secret);
        string target = Path.Combine(tree.Root, "target");

        Assert.False(PlainFile.TryCopy(link, target, maxBytes: 1 << 20));
        Assert.False(PlainFile.TryCopy("/dev/zero", target, maxBytes: 1 << 20));
        Assert.False(PlainFile.TryCopy(tree.Dir("folder"), target, maxBytes: 1 << 20));
        Assert.False(File.Exists(target));
    }
}
