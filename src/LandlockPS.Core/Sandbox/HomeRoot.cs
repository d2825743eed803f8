using System;
using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// The folder every scratch home is made in. A sandbox that may write it may write every home in
/// it, and a home is first on its child pwsh's module path: what a sandbox plants there runs in the
/// other sandbox, with that one's rights. So homes are made where sandboxes are rarely given
/// access: the login session's private runtime folder (<c>$XDG_RUNTIME_DIR/landlockps</c>), or,
/// without one, <c>landlockps-&lt;uid&gt;</c> in the temp folder. Either is this user's alone
/// (0700) and never reached through a link; <see cref="WritableBy"/> tells a launch that could
/// write it anyway.
/// </summary>
public static class HomeRoot
{
    private const string RuntimeFolderName = "landlockps";
    private const uint GroupAndOtherBits = 0x3F; // 0077

    /// <summary>Where homes are made now, from XDG_RUNTIME_DIR and TMPDIR.</summary>
    public static string Path
    {
        get
        {
            (string parent, string name) = Location();
            return System.IO.Path.Combine(parent, name);
        }
    }

    // A runtime folder only counts if it is what a login session makes: a folder of this user's, 0700.
    private static (string Parent, string Name) Location()
    {
        uint me = ProcessApi.GetEuid();
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && System.IO.Path.IsPathFullyQualified(runtime) &&
            PathHandles.TryStatus(runtime) is { IsDirectory: true } status && status.Uid == me && (status.Mode & GroupAndOtherBits) == 0)
        {
            return (runtime, RuntimeFolderName);
        }
        return (System.IO.Path.GetTempPath(), $"landlockps-{me}");
    }

    /// <summary>Opens the folder homes are made in, making it first if needed; <paramref name="path"/> is where it is.</summary>
    /// <exception cref="LandlockException">ScratchHomeFailed: it is not a folder of this user's alone, or cannot be made.</exception>
    internal static SafeDirectoryHandle Open(out string path)
    {
        (string parentPath, string name) = Location();
        path = System.IO.Path.Combine(parentPath, name);
        SafeDirectoryHandle root;
        using (SafeDirectoryHandle parent = OpenParent(parentPath, path))
        {
            try
            {
                root = OpenOrCreate(parent, name);
            }
            catch (LandlockException e)
            {
                throw Failed(path, e.Message.TrimEnd('.'), e.Errno, e);
            }
        }
        LibC.StatxBuffer status = root.Status();
        if (status.Uid == ProcessApi.GetEuid() && (status.Mode & GroupAndOtherBits) == 0) return root;
        root.Dispose();
        throw Failed(path, "it is not a folder of yours that only you may use (mode 0700)", 0, null);
    }

    // The temp folder TMPDIR names may not exist: there is then nothing to remove, only a setting to fix.
    private static SafeDirectoryHandle OpenParent(string parentPath, string path)
    {
        try
        {
            return SafeDirectoryHandle.Open(parentPath);
        }
        catch (LandlockException e)
        {
            string problem = e.Errno == Errno.ENOENT ? "does not exist" : $"cannot be opened ({Errno.Name(e.Errno)})";
            throw Failed(path, $"the folder it is made in, {System.IO.Path.TrimEndingDirectorySeparator(parentPath)}, {problem}", e.Errno, e,
                "Set TMPDIR (or XDG_RUNTIME_DIR) to a folder that exists and only you can write.");
        }
    }

    private static SafeDirectoryHandle OpenOrCreate(SafeDirectoryHandle parent, string name)
    {
        try
        {
            return parent.OpenChild(name);
        }
        catch (LandlockException e) when (e.Errno == Errno.ENOENT)
        {
            try
            {
                return parent.CreateChild(name);
            }
            catch (LandlockException made) when (made.Errno == Errno.EEXIST)
            {
                // Made by another process meanwhile.
                return parent.OpenChild(name);
            }
        }
    }

    private static LandlockException Failed(string path, string why, int errno, Exception? inner,
        string advice = "Remove it if it is not yours, or set XDG_RUNTIME_DIR (or TMPDIR) to a folder only you can write.") => new(
        $"Could not use {path}, where LandlockPS makes the private homes of sandboxed pwsh children: {why}. {advice}",
        "openat", errno, "ScratchHomeFailed", inner);

    /// <summary>
    /// The folder homes are made in, when a child confined by <paramref name="ruleset"/> may write
    /// it: a rule grants a write right on it or on a folder above it (matched by inode, links
    /// followed, as the kernel matches a rule). Null when it may not.
    /// </summary>
    public static string? WritableBy(LandlockRuleset ruleset)
    {
        string root = Path;
        return new RuleReach(ruleset, RuleReach.Writes).Reach(root) ? root : null;
    }
}
