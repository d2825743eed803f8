using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

public class SessionHostCallTests
{
    // A PowerShell that renamed the method would let a session's own host calls read the terminal
    // whenever a command of the caller's is open: this is where that shows first.
    [Fact]
    public void PowerShellCarriesOutSessionHostCallsInTheMethodLookedFor() => Assert.True(SessionHostCall.IsKnown);

    [Fact]
    public void AnyOtherCallIsNotTheSessions() => Assert.False(SessionHostCall.IsCurrent());
}
