using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// A rule on a file or folder the caller already holds open: it attaches to that very inode,
/// whatever <see cref="Path"/> names by the time the ruleset is built (a sandbox may have swapped
/// it for a link). <see cref="Path"/> is for messages only.
/// </summary>
public sealed record HeldPathRule(SafeFileDescriptor Handle, string Path, LandlockAccessFs Access)
{
    /// <summary>
    /// A rule on the plain file at the absolute <paramref name="path"/>, reached without following a
    /// link anywhere on the way: for a file in a folder a sandbox may write, where a link swapped in
    /// would carry the rule to what it points to. Null when the path names no plain file that way.
    /// The caller disposes <see cref="Handle"/>.
    /// </summary>
    public static HeldPathRule? OnPlainFile(string path, LandlockAccessFs access)
        => PathHandles.TryOpenPlainFile(path) is { } handle ? new HeldPathRule(handle, path, access) : null;

    /// <summary>As <see cref="OnPlainFile"/>, for the folder at the absolute <paramref name="path"/>.</summary>
    public static HeldPathRule? OnFolder(string path, LandlockAccessFs access)
    {
        SafePathHandle? handle = PathHandles.TryOpenWithoutLinks(path, out LibC.StatxBuffer status);
        if (handle is not null && status.IsDirectory) return new HeldPathRule(handle, path, access);
        handle?.Dispose();
        return null;
    }
}
