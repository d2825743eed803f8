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
    // A pool thread that runs no runspace, as PowerShell's callback threads: another test may have
    // left a runspace on this one (Runspace.DefaultRunspace is per thread, and pool threads are reused).
    private static Task RequireOnPoolThread(WaitingCaller waiting) => Task.Run(() =>
    {
        Runspace.DefaultRunspace = null;
        waiting.Require("read");
    });

    [Fact]
    public async Task RefusesWhileNoCommandRunsEvenInsideTheSession()
    {
        var waiting = new WaitingCaller(Session(runsCommand: false), runsToEnd: false, home: null, insideSession: () => true);
        var refused = await Assert.ThrowsAsync<HostException>(() => RequireOnPoolThread(waiting));
        Assert.Equal("SandboxHostAccessDenied", refused.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("while no command of yours runs", refused.Message);
    }

    [Fact]
    public async Task RefusesACallOffTheCallersPipelinesWhileACommandRunsInTheBackground()
    {
        var waiting = new WaitingCaller(Session(runsCommand: true), runsToEnd: false, home: null, insideSession: () => false);
        var refused = await Assert.ThrowsAsync<HostException>(() => RequireOnPoolThread(waiting));
        Assert.Contains("not the session itself while a command runs in the background", refused.Message);
    }

    [Fact]
    public async Task AllowsACommandsPromptOnThePipelineThatWaitsForIt()
    {
        var waiting = new WaitingCaller(Session(runsCommand: true), runsToEnd: false, home: null, insideSession: () => false);
        using Runspace caller = RunspaceFactory.CreateRunspace();
        await RequireOn(caller, waiting);
    }

    // As on a pipeline thread of that runspace.
    private static Task RequireOn(Runspace runspace, WaitingCaller waiting) => Task.Run(() =>
    {
        Runspace.DefaultRunspace = runspace;
        try
        {
            waiting.Require("read");
        }
        finally
        {
            Runspace.DefaultRunspace = null;
        }
    });

    [Fact]
    public async Task RefusesACommandsPromptOnAPipelineOfAnotherRunspace()
    {
        using Runspace shell = RunspaceFactory.CreateRunspace();
        using Runspace threadJob = RunspaceFactory.CreateRunspace();
        var waiting = new WaitingCaller(Session(runsCommand: true), runsToEnd: false, home: shell, insideSession: () => false);
        var refused = await Assert.ThrowsAsync<HostException>(() => RequireOn(threadJob, waiting));
        Assert.Contains("nor a command sent from another runspace", refused.Message);
        await RequireOn(shell, waiting);
    }

    [Fact]
    public async Task AllowsAnyThreadInsideTheSessionAndForAScriptBlock()
    {
        await RequireOnPoolThread(new WaitingCaller(Session(runsCommand: true), runsToEnd: false, home: null, insideSession: () => true));
        await RequireOnPoolThread(new WaitingCaller(Session(runsCommand: true), runsToEnd: true, home: null, insideSession: () => false));
    }
}
