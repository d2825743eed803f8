using System.Collections.Generic;
using System.Linq;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// Judges single rights on one target the way the kernel does: pick the walk (the object, or the
/// directory holding the entry), then union what every rule attached to an inode on that walk grants.
/// Pure: everything it knows of the file system is in <see cref="AccessTarget"/> and the anchors.
/// </summary>
internal sealed class AccessJudge(LandlockRuleset ruleset, LandlockAbi? kernelAbi, IReadOnlyList<RuleAnchor> anchors, AccessTarget target)
{
    private readonly LandlockAccessFs _enforced =
        ruleset.HandledAccessFs & (kernelAbi is { } abi ? AbiFeatures.Of(abi).AccessFs : LandlockAccessFs.None);

    internal LandlockRightVerdict Judge(LandlockAccessFs right)
    {
        (InodeWalk walk, LandlockPathType type) = Placement(right);
        if (RightPlacement.NotApplicableReason(right, type) is { } why)
        {
            return Verdict(right, LandlockAccessVerdict.NotApplicable, walk, [], why);
        }
        if (kernelAbi is not null && !RightPlacement.IsEntryRight(right) && TracedProcessEntries.Guards(target.FullPath))
        {
            return Verdict(right, LandlockAccessVerdict.Denied, walk, [], TracedProcessEntries.Reason);
        }
        if (right == LandlockAccessFs.Refer && (_enforced & right) == 0 && _enforced != LandlockAccessFs.None)
        {
            // The one right Landlock denies without handling it: any filesystem domain forbids reparenting.
            return Verdict(right, LandlockAccessVerdict.Denied, walk, [],
                "Without Refer handled and granted, Landlock denies every link or rename into another directory " +
                "(renaming within one directory needs no Refer).");
        }
        if ((ruleset.HandledAccessFs & right) == 0)
        {
            return Verdict(right, LandlockAccessVerdict.Unhandled, walk, [], $"The ruleset does not handle {right}, so Landlock does not restrict it.");
        }
        if ((_enforced & right) == 0)
        {
            return Verdict(right, LandlockAccessVerdict.NotEnforced, walk, [], NotEnforcedReason(right));
        }
        RuleAnchor[] granting = anchors.Where(a => walk.Inodes.Contains(a.Inode) && (a.Grants(_enforced) & right) != 0).ToArray();
        if (granting.Length > 0)
        {
            return Verdict(right, LandlockAccessVerdict.Allowed, walk, granting.Select(a => a.Rule).ToArray(),
                $"Granted by {string.Join(" and by ", granting.Select(a => a.Describe()))}.");
        }
        string where = RightPlacement.IsEntryRight(right) ? " (rights on an entry are checked on the directory that holds it)" : string.Empty;
        return Verdict(right, LandlockAccessVerdict.Denied, walk, [], $"No rule on {walk.RealPath} or a directory above it grants {right}{where}.");
    }

    /// <summary>
    /// The walk <paramref name="right"/> is checked on, and the kind of object it concerns there. A right
    /// on a symbolic link's own name (removing it, making something in its place) concerns the link,
    /// which is neither a file to open nor a directory: <see cref="LandlockPathType.Other"/>.
    /// </summary>
    private (InodeWalk Walk, LandlockPathType Type) Placement(LandlockAccessFs right) =>
        !RightPlacement.IsEntryRight(right) ? (target.Object, target.Type)
        : target.LinkEntry is { } link && !RightPlacement.FollowsFinalLink(right) ? (link, LandlockPathType.Other)
        : (target.Entry, target.Type);

    private static LandlockRightVerdict Verdict(LandlockAccessFs right, LandlockAccessVerdict verdict, InodeWalk walk,
        IReadOnlyList<LandlockPathRule> grantedBy, string reason) =>
        new(right, verdict, walk.RealPath, grantedBy, reason);

    private string NotEnforcedReason(LandlockAccessFs right) => kernelAbi is { } abi
        ? $"This kernel (Landlock {abi}) cannot enforce {right}, which needs {AbiFeatures.FirstProviding(right)}: " +
          "a BestEffort launch leaves it unrestricted, a HardRequirement launch is refused."
        : "This kernel enforces no Landlock at all, so nothing is restricted (and a launch refuses to run unconfined unless told to).";
}
