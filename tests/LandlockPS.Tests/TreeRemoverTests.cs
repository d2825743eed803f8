using System.IO;
using LandlockPS.Core.Native;
using Xunit;

namespace LandlockPS.Tests;

public class TreeRemoverTests
{
    [Fact]
    public void RemovesNestedFoldersFilesAndLinks()
    {
        using var tree = new TempTree();
        string home = tree.Dir("home");
        tree.File("home/a/b/c/file.txt");
        tree.File("home/top.txt");
        File.CreateSymbolicLink(Path.Combine(home, "a", "dangling"), "/nonexistent");
        Directory.CreateDirectory(Path.Combine(home, "empty"));

        Remove(tree, "home");

        Assert.False(Directory.Exists(home));
        Assert.True(Directory.Exists(tree.Root));
    }

    [Fact]
    public void RemovesATreeNestedFarDeeperThanOneDescentInOneRemoval()
    {
        using var tree = new TempTree();
        string home = tree.Dir("home");
        // 3,000 levels (the former bound was 16 passes of 64): made through a descriptor chain, since
        // a path that long cannot be named at once.
        using (SafeDirectoryHandle top = SafeDirectoryHandle.Open(home))
        {
            SafeDirectoryHandle current = top.CreateChild("d");
            for (int level = 1; level < 3000; level++)
            {
                SafeDirectoryHandle next = current.CreateChild("d");
                current.Dispose();
                current = next;
            }
            current.Dispose();
        }

        Remove(tree, "home");

        Assert.False(Directory.Exists(home));
    }

    [Fact]
    public void RemovesLinksToFoldersButNeverWhatTheyPointTo()
    {
        using var tree = new TempTree();
        string home = tree.Dir("home");
        string outside = tree.File("outside/keep.txt");
        Directory.CreateSymbolicLink(Path.Combine(home, "escape"), Path.GetDirectoryName(outside)!);
        Directory.CreateSymbolicLink(Path.Combine(tree.Dir("home/sub"), "escape"), Path.GetDirectoryName(outside)!);

        Remove(tree, "home");

        Assert.False(Directory.Exists(home));
        Assert.True(File.Exists(outside));
    }

    [Fact]
    public void LeavesAFolderSwappedForALinkAndItsTargetAlone()
    {
        using var tree = new TempTree();
        string outside = tree.File("outside/keep.txt");
        string home = tree.Dir("home");
        tree.File("home/mine.txt");
        using SafeDirectoryHandle parent = SafeDirectoryHandle.Open(tree.Root);
        using SafeDirectoryHandle folder = parent.OpenChild("home");
        // Swapped after it was opened: the folder is moved away and a link takes its name.
        Directory.Move(home, Path.Combine(tree.Root, "moved"));
        Directory.CreateSymbolicLink(home, Path.GetDirectoryName(outside)!);

        TreeRemover.Remove(parent, "home", folder);

        Assert.True(File.Exists(outside));
        Assert.True(Directory.Exists(home));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(tree.Root, "moved")));
    }

    [Fact]
    public void RemovesNamesThatAreNotUtf8()
    {
        using var tree = new TempTree();
        string home = tree.Dir("home");
        // A name with a lone 0xFF byte, as a sandboxed program could make.
        using (var touch = System.Diagnostics.Process.Start("sh", ["-c", $"touch \"{home}/$(printf 'bad\\377name')\""]))
        {
            touch.WaitForExit();
            Assert.Equal(0, touch.ExitCode);
        }
        Assert.Single(Directory.GetFiles(home));

        Remove(tree, "home");

        Assert.False(Directory.Exists(home));
    }

    private static void Remove(TempTree tree, string name)
    {
        using SafeDirectoryHandle parent = SafeDirectoryHandle.Open(tree.Root);
        using SafeDirectoryHandle folder = parent.OpenChild(name);
        TreeRemover.Remove(parent, name, folder);
    }
}
