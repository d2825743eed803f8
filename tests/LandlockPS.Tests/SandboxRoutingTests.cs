using Xunit;

namespace LandlockPS.Tests;

/// <summary>Where Invoke-Sandboxed takes its rulesets and its runs' input from (LandlockPS.SandboxRouting).</summary>
public class SandboxRoutingTests
{
    [Theory]
    // -Ruleset named: one run; the pipeline or -InputObject, if any, is its input.
    [InlineData(true, false, false, false, false)]
    [InlineData(true, false, true, false, true)]
    [InlineData(true, true, false, false, true)]
    // Rulesets from the pipeline: one run each; only a named -InputObject is their input (the
    // pipeline objects are the rulesets, even where they also bind to -InputObject).
    [InlineData(false, false, true, true, false)]
    [InlineData(false, true, true, true, true)]
    public void RoutesRulesetsAndInput(bool rulesetNamed, bool inputNamed, bool expectingInput, bool runPerRecord, bool feedsInput)
    {
        Assert.Equal(new SandboxRouting(runPerRecord, feedsInput), SandboxRouting.Decide(rulesetNamed, inputNamed, expectingInput));
    }
}
