using System.Collections.Generic;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>One inode, told apart the way the kernel does: by device and inode number.</summary>
internal readonly record struct InodeId(ulong Device, ulong Inode)
{
    internal static InodeId Of(in LibC.StatxBuffer status) =>
        new(((ulong)status.DevMajor << 32) | status.DevMinor, status.Inode);
}

/// <summary>
/// What the kernel walks for one access check: from the object up to the root, through the real
/// (symlink-free) path. A rule applies when it is attached to one of these inodes; comparing inodes
/// rather than path strings also gets hard links and bind mounts of a rule's directory right.
/// </summary>
internal sealed record InodeWalk(string RealPath, IReadOnlyList<InodeId> Inodes)
{
    /// <summary>Walks up from <paramref name="realPath"/>, which must be canonical (see <see cref="PathLookup.RealPath"/>).</summary>
    internal static InodeWalk Up(string realPath)
    {
        var inodes = new List<InodeId>();
        for (string? path = realPath; path is not null; path = System.IO.Path.GetDirectoryName(path))
        {
            if (!PathLookup.TryStat(path, out LibC.StatxBuffer status, out int errno))
            {
                throw new LandlockException($"Could not inspect '{path}' ({Errno.Name(errno)}); it may have changed while being explained.",
                    "statx", errno, "PathNotAccessible");
            }
            inodes.Add(InodeId.Of(status));
        }
        return new InodeWalk(realPath, inodes);
    }
}
