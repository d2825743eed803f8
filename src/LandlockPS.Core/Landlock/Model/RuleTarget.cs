using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>What a rule path refers to, as the kernel will see it when the rule is built.</summary>
public enum RuleTargetKind
{
    /// <summary>Nothing is there.</summary>
    Missing,
    /// <summary>A file (or another non-directory).</summary>
    File,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>Something is there, but it cannot be opened.</summary>
    Inaccessible,
}

/// <summary>Probes rule paths exactly as <see cref="RulesetCompiler"/> opens them (O_PATH, symlinks followed).</summary>
public static class RuleTarget
{
    /// <summary>What <paramref name="path"/> refers to, as the compiler would open it.</summary>
    public static RuleTargetKind Probe(string path) => Probe(path, out _);

    /// <summary>Probes <paramref name="path"/>; when it is <see cref="RuleTargetKind.Inaccessible"/>, <paramref name="problem"/> says why, in words for a message.</summary>
    public static RuleTargetKind Probe(string path, out string? problem)
    {
        problem = null;
        using SafePathHandle? handle = PathHandles.TryOpen(path, out int errno);
        if (handle is null)
        {
            if (errno is Errno.ENOENT or Errno.ENOTDIR) return RuleTargetKind.Missing;
            problem = PathLookup.Failure(errno);
            return RuleTargetKind.Inaccessible;
        }
        return PathHandles.IsDirectory(handle) ? RuleTargetKind.Directory : RuleTargetKind.File;
    }
}
