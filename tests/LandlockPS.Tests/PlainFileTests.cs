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

    [Fact]
    public void AFifoIsJudgedWithoutBeingOpened()
    {
        // Opening a FIFO for reading would release a writer blocked on it (or block): neither may happen.
        using var tree = new TempTree();
        string fifo = System.IO.Path.Combine(tree.Root, "fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        using var writer = System.Diagnostics.Process.Start("/bin/sh", ["-c", $"echo hi > '{fifo}'"]);
        try
        {
            Assert.Null(PlainFile.TryOpen(fifo, followLinks: true, 1 << 20, out PlainFileProblem problem, out _));
            Assert.Equal(PlainFileProblem.NotRegular, problem);
            Assert.False(writer.WaitForExit(300), "the writer was released: the FIFO was opened");
        }
        finally
        {
            writer.Kill();
        }
    }
}
