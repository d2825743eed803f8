using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>What a rule path refers to, as the kernel will see it when the rule is built.</summary>
public enum RuleTargetKind
{
    Missing,
    File,
    Directory,
    Inaccessible,
}

/// <summary>Probes rule paths exactly as <see cref="RulesetCompiler"/> opens them (O_PATH, symlinks followed).</summary>
public static class RuleTarget
{
    public static RuleTargetKind Probe(string path)
    {
        using SafePathHandle? handle = PathHandles.TryOpen(path, out int errno);
        if (handle is null)
        {
            return errno is Errno.ENOENT or Errno.ENOTDIR ? RuleTargetKind.Missing : RuleTargetKind.Inaccessible;
        }
        return PathHandles.IsDirectory(handle) ? RuleTargetKind.Directory : RuleTargetKind.File;
    }
}
