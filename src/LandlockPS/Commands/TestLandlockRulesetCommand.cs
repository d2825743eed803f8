using System.Management.Automation;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Commands;

/// <summary>
/// Builds a ruleset in the kernel without enforcing it, to show what this kernel would enforce
/// and to catch rules that cannot be built (missing paths, rejected rights) before a launch.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LandlockRuleset")]
[OutputType(typeof(LandlockEnforcementReport))]
public sealed class TestLandlockRulesetCommand : PSCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    [RulesetTransformation]
    [ValidateNotNull]
    public LandlockRuleset Ruleset { get; set; } = null!;

    protected override void ProcessRecord()
    {
        try
        {
            using CompiledRuleset compiled = RulesetCompiler.Compile(Ruleset);
            WriteObject(compiled.Report);
        }
        catch (LandlockException e)
        {
            WriteError(ErrorHelper.FromException(e, Ruleset));
        }
    }
}
