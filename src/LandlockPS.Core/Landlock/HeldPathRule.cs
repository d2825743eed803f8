using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// A rule on a file or folder the caller already holds open: it attaches to that very inode,
/// whatever <see cref="Path"/> names by the time the ruleset is built (a sandbox may have swapped
/// it for a link). <see cref="Path"/> is for messages only.
/// </summary>
public sealed record HeldPathRule(SafeFileDescriptor Handle, string Path, LandlockAccessFs Access);
