namespace LandlockPS;

/// <summary>
/// Where Invoke-Sandboxed's rulesets and its runs' input come from, decided once as the call begins.
/// A ruleset named with -Ruleset leaves the pipeline to the run's input: one run, fed each piped
/// object or -InputObject. Otherwise the rulesets come from the pipeline, one run each, and a named
/// -InputObject is every run's input.
/// </summary>
/// <param name="RunPerRecord">Rulesets come from the pipeline, one run each; otherwise one run serves the whole call.</param>
/// <param name="FeedsInput">Each run is fed the record's input object (its stdin, or the block's $input); otherwise it has none.</param>
internal readonly record struct SandboxRouting(bool RunPerRecord, bool FeedsInput)
{
    /// <summary>The routing of a call, from which of -Ruleset and -InputObject it named and whether it has pipeline input.</summary>
    internal static SandboxRouting Decide(bool rulesetNamed, bool inputNamed, bool expectingInput) =>
        rulesetNamed
            ? new SandboxRouting(RunPerRecord: false, FeedsInput: expectingInput || inputNamed)
            : new SandboxRouting(RunPerRecord: true, FeedsInput: inputNamed);
}
