using System;
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
        tree.File("cache/source", "twelve bytes");
        using SafeDirectoryHandle target = SafeDirectoryHandle.Open(tree.Dir("target"));

        Assert.True(PlainFile.TryCopyBeneath(tree.Root, "cache/source", target, "copy", maxBytes: 12));
        Assert.Equal("twelve bytes", File.ReadAllText(Path.Combine(tree.Root, "target", "copy")));
    }

    [Fact]
    public void RefusesFilesOverTheLimitOrEmpty()
    {
        using var tree = new TempTree();
        tree.File("big", "thirteen byte");
        tree.File("empty", string.Empty);
        using SafeDirectoryHandle target = SafeDirectoryHandle.Open(tree.Dir("target"));

        Assert.False(PlainFile.TryCopyBeneath(tree.Root, "big", target, "copy", maxBytes: 12));
        Assert.False(PlainFile.TryCopyBeneath(tree.Root, "empty", target, "copy", maxBytes: 12));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(tree.Root, "target")));
    }

    [Fact]
    public void RefusesLinksAnywhereOnTheWayDevicesAndFolders()
    {
        using var tree = new TempTree();
        string secret = tree.File("secret/file", "classified");
        File.CreateSymbolicLink(Path.Combine(tree.Root, "link"), secret);
        // A folder on the way swapped for a link, as a sandbox that may write the cache could do.
        Directory.CreateSymbolicLink(Path.Combine(tree.Dir("cache"), "powershell"), Path.GetDirectoryName(secret)!);
        File.CreateSymbolicLink(Path.Combine(tree.Root, "zero"), "/dev/zero");
        tree.Dir("folder");
        using SafeDirectoryHandle target = SafeDirectoryHandle.Open(tree.Dir("target"));

        Assert.False(PlainFile.TryCopyBeneath(tree.Root, "link", target, "copy", maxBytes: 1 << 20));
        Assert.False(PlainFile.TryCopyBeneath(tree.Root, "cache/powershell/file", target, "copy", maxBytes: 1 << 20));
        Assert.False(PlainFile.TryCopyBeneath(tree.Root, "zero", target, "copy", maxBytes: 1 << 20));
        Assert.False(PlainFile.TryCopyBeneath(tree.Root, "folder", target, "copy", maxBytes: 1 << 20));
        Assert.False(PlainFile.TryCopyBeneath(tree.Root, "../etc/hostname", target, "copy", maxBytes: 1 << 20));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(tree.Root, "target")));
        // The twin: the same file reached without a link is copied.
        Assert.True(PlainFile.TryCopyBeneath(tree.Root, "secret/file", target, "copy", maxBytes: 1 << 20));
    }

    [Fact]
    public void NeverWritesThroughANameAlreadyThere()
    {
        using var tree = new TempTree();
        tree.File("source", "new content");
        string victim = tree.File("victim", "keep me");
        string targetPath = tree.Dir("target");
        File.CreateSymbolicLink(Path.Combine(targetPath, "copy"), victim);
        using SafeDirectoryHandle target = SafeDirectoryHandle.Open(targetPath);

        Assert.Throws<LandlockPS.Core.LandlockException>(() => PlainFile.TryCopyBeneath(tree.Root, "source", target, "copy", maxBytes: 1 << 20));
        Assert.Equal("keep me", File.ReadAllText(victim));
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

    // A stream that cannot say its length (as /proc's files) is read into buffers that grow, never past the limit.
    [Theory]
    [InlineData(0, 10)]
    [InlineData(100_000, 100_000)]
    [InlineData(100_001, 100_000)]
    [InlineData(300_000, 1 << 20)]
    public void ReadsAStreamIntoAPooledBufferUpToItsLimit(int bytes, int maxBytes)
    {
        byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++) data[i] = (byte)(i % 251);
        using var input = new UnseekableStream(data);
        byte[]? read = PooledRead.ReadAtMost(input, maxBytes, out int length);
        if (bytes > maxBytes)
        {
            Assert.Null(read);
            return;
        }
        Assert.NotNull(read);
        Assert.Equal(data, read.AsSpan(0, length).ToArray());
        System.Buffers.ArrayPool<byte>.Shared.Return(read);
    }

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
