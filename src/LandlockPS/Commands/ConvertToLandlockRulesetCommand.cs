using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;
using LandlockPS.Core.Propose;

namespace LandlockPS.Commands;

/// <summary>
/// Proposes the tightest ruleset that allows what a trial run did, from its access events
/// (Trace-LandlockAccess, or a saved copy of them). The ruleset is an ordinary one; it carries every
/// rule considered, with how often it was seen, as ProposedRules. Flagged rules (writes on system trees,
/// homes or repositories' control folders; listings of / or a temp folder; secrets) are left out, with a
/// warning, unless -IncludeFlagged.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "LandlockRuleset")]
[OutputType(typeof(LandlockRuleset))]
public sealed class ConvertToLandlockRulesetCommand : PSCmdlet
{
    /// <summary>The note property on the output ruleset that lists every rule considered.</summary>
    public const string ProposedRulesProperty = "ProposedRules";

    private readonly List<LandlockAccessEvent> _events = [];

    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    [AccessEventTransformation]
    [AllowEmptyCollection]
    public LandlockAccessEvent[] InputObject { get; set; } = [];

    [Parameter]
    public ProposalGranularity Granularity { get; set; } = ProposalGranularity.File;

    [Parameter]
    public SwitchParameter IncludeFlagged { get; set; }

    [Parameter]
    public LandlockAbi Abi { get; set; } = AbiFeatures.Newest;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ExcludePath { get; set; }

    protected override void ProcessRecord() => _events.AddRange(InputObject.Where(e => e is not null));

    protected override void EndProcessing()
    {
        var options = new ProposalOptions(Abi, Granularity, IncludeFlagged, ExcludedPaths(),
            Environment.GetEnvironmentVariable("HOME"), System.IO.Path.GetTempPath(), Name ?? "proposed");
        LandlockProposal proposal;
        try
        {
            proposal = RulesetProposer.Propose(_events, options);
        }
        catch (LandlockException e)
        {
            ThrowTerminatingError(ErrorHelper.FromException(e, this));
            return;
        }
        foreach (string note in proposal.Notes) WriteVerbose(note);
        foreach (LandlockProposedRule rule in proposal.Rules) WriteVerbose(Describe(rule));
        WarnAboutFlagged(proposal.Rules.Where(r => r.Flag != LandlockRuleFlag.None).ToArray());
        WarnAboutMissing(proposal.MissingPlaces);
        if (_events.Count == 0) WriteWarning("No access events came in: the proposed ruleset allows nothing. Pipe the output of Trace-LandlockAccess.");
        var output = PSObject.AsPSObject(proposal.Ruleset);
        output.Properties.Add(new PSNoteProperty(ProposedRulesProperty, proposal.Rules.ToArray()));
        WriteObject(output);
    }

    private string[] ExcludedPaths() =>
        (ExcludePath ?? []).SelectMany(p => PathResolver.ReportingBadInput(this, p, () => PathResolver.Resolve(this, p, literal: true)) ?? []).ToArray();

    private static string Describe(LandlockProposedRule rule) =>
        $"{(rule.Included ? "Proposing" : "Leaving out")} {rule} ({rule.Basis}; seen {rule.SeenCount} time(s) in {rule.AccessCount} access(es)" +
        $"{(rule.Programs.Count > 0 ? $" by {string.Join(", ", rule.Programs)}" : string.Empty)})" +
        $"{(rule.FlagReason is { } why ? $": flagged, {why}" : string.Empty)}.";

    private void WarnAboutMissing(IReadOnlyList<string> places)
    {
        if (places.Count == 0) return;
        WriteWarning($"{places.Count} place(s) the trial used no longer exist, so the proposal has no rule for them (a rule must name " +
            $"something that exists when a run starts): {string.Join(", ", places.Take(MissingShown))}{(places.Count > MissingShown ? ", ..." : string.Empty)}. " +
            "If the work needs them, trace it again where they exist.");
    }

    private const int MissingShown = 5;

    // One warning for all of them, each with why and the exact way to grant it.
    private void WarnAboutFlagged(LandlockProposedRule[] flagged)
    {
        if (flagged.Length == 0) return;
        string list = string.Join(Environment.NewLine, flagged.Select(r => $"  {r} ({r.FlagReason}):{Environment.NewLine}    {AccessFixText.Command(r)}"));
        WriteWarning(IncludeFlagged
            ? $"The proposal grants {flagged.Length} flagged rule(s), as -IncludeFlagged asks:{Environment.NewLine}{list}"
            : $"The proposal leaves out {flagged.Length} flagged rule(s) the trial needed; review each, then run again with -IncludeFlagged " +
              $"to grant them all, or add the ones you accept with these commands (the proposal in $ruleset):{Environment.NewLine}{list}");
    }
}
