using LandlockPS.Core.Sandbox;
using Xunit;

namespace LandlockPS.Tests;

public class LaunchPadSmokeTests
{
    [Fact]
    public void RunsAProgramAndCollectsItsOutput()
    {
        var r = SandboxHarness.Sh(SandboxHarness.SystemRuleset(), "echo hello; echo oops >&2; exit 3");
        Assert.Equal("hello\n", r.Stdout);
        Assert.Equal("oops\n", r.Stderr);
        Assert.Equal(3, r.ExitCode);
    }
}
