using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;
using LandlockPS.Core.Sandbox;
using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// What a session started with -ExplainDenials keeps: the denials so far while it runs, the same list
/// once it ended, and a word about the calls its bounded observer could not record.
/// </summary>
public class SessionDenialsTests
{
    private static (SessionDenials Denials, AccessObserver Observer) Observe(TempTree tree, int maximumAccesses, string script)
    {
        LandlockRuleset ruleset = SandboxHarness.SystemRuleset(LandlockAbi.V4);
        var observer = new AccessObserver(maximumAccesses);
        observer.MarkWorkStart();
        SandboxHarness.Run(ruleset, new SandboxStartInfo("/bin/sh")
        {
            Arguments = ["-c", script],
            WorkingDirectory = tree.Root,
            Environment = SandboxHarness.Env,
            Observer = observer,
        });
        return (new SessionDenials(observer, ruleset, new SandboxSessionState(), host: null, "test"), observer);
    }

    [Fact]
    public void TheDenialsReadTheSameWhileTheSessionRunsAndOnceItEnded()
    {
        using var tree = new TempTree();
        string secret = tree.File("secret.txt");
        (SessionDenials denials, AccessObserver observer) = Observe(tree, AccessObserver.DefaultMaximumAccesses, "cat secret.txt; cat secret.txt");
        IReadOnlyList<LandlockAccessEvent> running = denials.Current();
        Assert.Equal([secret], running.Select(d => d.Path));
        Assert.Equal(2, running[0].Count);
        Assert.StartsWith("Add-LandlockPathRule -Ruleset $ruleset -LiteralPath ", running[0].Suggestion);
        Assert.Null(denials.LostWarning);
        denials.End();
        denials.End(); // a second end (the transport disposed twice) changes nothing
        Assert.Equal(running.Select(d => (d.Path, d.Count)), denials.Current().Select(d => (d.Path, d.Count)));
        Assert.True(observer.WaitForEnd(0), "ending the session ends its observer");
    }

    [Fact]
    public void CallsPastTheBoundAreCountedAndSaidToBeLost()
    {
        using var tree = new TempTree();
        (SessionDenials denials, _) = Observe(tree, 3, "for f in a b c d e f; do : > $f.txt; done");
        Assert.NotNull(denials.LostWarning);
        Assert.Matches(@"^\d+ call\(s\) were not recorded: the run made more than 3 distinct accesses\. .*Trace-LandlockAccess -MaximumAccessCount", denials.LostWarning);
        denials.End();
    }
}
