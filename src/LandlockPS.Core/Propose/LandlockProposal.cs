using System.Collections.Generic;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Propose;

/// <summary>What a set of traced accesses proposes: an ordinary ruleset, every rule considered with its evidence, and what was left out and why.</summary>
public sealed class LandlockProposal(LandlockRuleset ruleset, IReadOnlyList<LandlockProposedRule> rules, IReadOnlyList<string> notes,
    IReadOnlyList<string> missingPlaces)
{
    /// <summary>The proposed ruleset: the included rules, on a ruleset that handles everything its ABI can restrict.</summary>
    public LandlockRuleset Ruleset { get; } = ruleset;

    /// <summary>Every rule considered, included or flagged, tightest evidence first.</summary>
    public IReadOnlyList<LandlockProposedRule> Rules { get; } = rules;

    /// <summary>What was left out of the proposal, and why, each a sentence.</summary>
    public IReadOnlyList<string> Notes { get; } = notes;

    /// <summary>Places the trial used that no longer exist (and that it did not make or remove itself): they got no rule.</summary>
    public IReadOnlyList<string> MissingPlaces { get; } = missingPlaces;
}
