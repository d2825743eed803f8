using System;
using LandlockPS.Core.Sandbox;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>Which temp-folder names are this process's own control sockets: only its pid's, of the two known kinds.</summary>
public class CallerChannelsTests
{
    private static readonly int Pid = Environment.ProcessId;

    [Theory]
    [InlineData("dotnet-diagnostic-{0}-228837-socket", true)]
    [InlineData("CoreFxPipe_PSHost.DD86A49E.{0}.None.pwsh", true)]
    [InlineData("CoreFxPipe_PSHost.DD86A49E.{0}.DefaultAppDomain.dotnet", true)]
    [InlineData("dotnet-diagnostic-{0}1-228837-socket", false)]
    [InlineData("dotnet-diagnostic-1{0}-228837-socket", false)]
    [InlineData("dotnet-diagnostic-{0}-228837-socket.bak", false)]
    [InlineData("CoreFxPipe_PSHost.DD86A49E.{0}1.None.pwsh", false)]
    [InlineData("CoreFxPipe_PSHost.{0}.1.None.pwsh", false)]
    [InlineData("CoreFxPipe_Other.DD86A49E.{0}.None.pwsh", false)]
    [InlineData("clr-debug-pipe-{0}-440203-in", true)]
    [InlineData("clr-debug-pipe-{0}-440203-out", true)]
    [InlineData("clr-debug-pipe-{0}1-440203-in", false)]
    [InlineData("clr-debug-pipe-{0}-440203-inx", false)]
    [InlineData("landlockps-{0}", false)]
    public void NamesOnlyThisProcesssOwn(string pattern, bool own) =>
        Assert.Equal(own, CallerChannels.IsOwn(string.Format(pattern, Pid)));
}
