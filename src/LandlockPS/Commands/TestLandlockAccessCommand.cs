using System.Collections.Generic;
using System.Management.Automation;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Commands;

/// <summary>
/// Explains, without confining anything, whether a ruleset lets a confined process use paths in the
/// given ways: right by right, with the rules that grant each one and the rule that would fix a denial.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LandlockAccess", DefaultParameterSetName = PathSet)]
[OutputType(typeof(LandlockAccessExplanation))]
public sealed class TestLandlockAccessCommand : RulesetPathCmdlet
{
    private LandlockSupport _support = null!;

    // Asked once per call: what this kernel enforces does not change between paths.
    protected override void BeginProcessing() => _support = LandlockSupport.Query();

    protected override void ProcessRecord()
    {
        LandlockAccessFs requested = ResolveAccess(() => AccessExplainer.ResolveRequested(Ruleset, Access));
        (string[] inputs, bool literal) = PathInputs;
        foreach (string input in inputs)
        {
            IReadOnlyList<string>? paths = ResolvePaths(input, literal);
            if (paths is { Count: 0 })
            {
                // Only a wildcard can match nothing; a plain path that does not exist is explained as one to create.
                WriteError(ErrorHelper.Create("PathNotFound",
                    $"No file or directory matches '{input}'. To ask about a path that does not exist yet, give it without wildcards.", input));
            }
            foreach (string fullPath in paths ?? [])
            {
                Explain(input, fullPath, requested);
            }
        }
    }

    // The answer is about what the kernel reaches from the path as written, so ".." is left to its lookup.
    protected override IReadOnlyList<string> ResolveInput(string input, bool literal) => PathResolver.ResolveForLookup(this, input, literal);

    private void Explain(string input, string fullPath, LandlockAccessFs requested)
    {
        try
        {
            WriteObject(AccessExplainer.Explain(Ruleset, input, fullPath, requested, _support));
        }
        catch (LandlockException e)
        {
            WriteError(ErrorHelper.FromException(e, fullPath));
        }
    }
}
