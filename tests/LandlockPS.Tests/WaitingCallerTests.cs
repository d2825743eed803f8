using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Threading.Tasks;
using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// When a sandbox may read the caller's terminal. The whole path (prompts of foreground commands, of
/// jobs at Receive-Job, in Enter-PSSession; the session's own host while a job runs) is tested at a real
/// terminal by Pester (Seams.HostChannel2, New-LandlockSession); here, each condition alone.
/// </summary>
public sealed class WaitingCallerTests
{
    private static SandboxSessionState Session(bool runsCommand) => new() { RunsCommand = () => runsCommand };

    // Off the test's thread, which may run a runspace of xUnit's host: a thread pool thread runs none.
    private static Task RequireOnPoolThread(WaitingCaller waiting) => Task.Run(() => waiting.Require("read"));

    [Fact]
    public async Task RefusesWhileNoCommandRunsEvenInsideTheSession()
    {
        var waiting = new WaitingCaller(Session(runsCommand: false), runsToEnd: false, insideSession: () => true);
        var refused = await Assert.ThrowsAsync<HostException>(() => RequireOnPoolThread(waiting));
        Assert.Equal("SandboxHostAccessDenied", refused.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("while no command of yours runs", refused.Message);
    }

    [Fact]
    public async Task RefusesACallOffTheCallersPipelinesWhileACommandRunsInTheBackground()
    {
        var waiting = new WaitingCaller(Session(runsCommand: true), runsToEnd: false, insideSession: () => false);
        var refused = await Assert.ThrowsAsync<HostException>(() => RequireOnPoolThread(waiting));
        Assert.Contains("while a command you sent it runs in the background", refused.Message);
    }

    [Fact]
    public async Task AllowsACommandsPromptOnThePipelineThatWaitsForIt()
    {
        var waiting = new WaitingCaller(Session(runsCommand: true), runsToEnd: false, insideSession: () => false);
        using Runspace caller = RunspaceFactory.CreateRunspace();
        await Task.Run(() =>
        {
            Runspace.DefaultRunspace = caller;
            try
            {
                waiting.Require("read");
            }
            finally
            {
                Runspace.DefaultRunspace = null;
            }
        });
    }

    [Fact]
    public async Task AllowsAnyThreadInsideTheSessionAndForAScriptBlock()
    {
        await RequireOnPoolThread(new WaitingCaller(Session(runsCommand: true), runsToEnd: false, insideSession: () => true));
        await RequireOnPoolThread(new WaitingCaller(Session(runsCommand: true), runsToEnd: true, insideSession: () => false));
    }
}
