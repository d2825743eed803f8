using System.Collections.Generic;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Propose;

/// <summary>How to turn traced accesses into a ruleset.</summary>
/// <param name="Abi">The ABI the ruleset is written for: it handles every right and scope of it.</param>
/// <param name="Granularity">How far rules widen beyond what the trial touched.</param>
/// <param name="IncludeFlagged">Grant flagged rules too (writes on system trees, homes or repositories' control folders; wide listings; secrets).</param>
/// <param name="ExcludedPaths">Absolute paths whose accesses (theirs and beneath them) are left out.</param>
/// <param name="Home">This user's home folder, counted among the homes (/root and /home/* always are).</param>
/// <param name="TempFolder">The temp folder, where sandboxes' scratch homes are; never widened to by Tree.</param>
/// <param name="Name">The proposed ruleset's name.</param>
public sealed record ProposalOptions(
    LandlockAbi Abi = AbiFeatures.Newest,
    ProposalGranularity Granularity = ProposalGranularity.File,
    bool IncludeFlagged = false,
    IReadOnlyList<string>? ExcludedPaths = null,
    string? Home = null,
    string? TempFolder = null,
    string? Name = null);
