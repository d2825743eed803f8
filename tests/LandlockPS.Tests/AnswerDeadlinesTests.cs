using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// A session's answer deadlines: what the server has not answered when its time is up is reported
/// (once, the first missed), what it answered in time never is, and nothing is reported after dispose.
/// </summary>
public class AnswerDeadlinesTests
{
    private const int Grace = 50;
    private static readonly SentPacket First = new(PacketKind.Command, Guid.NewGuid(), 1);
    private static readonly SentPacket Second = new(PacketKind.Signal, Guid.NewGuid(), 2);

    [Fact]
    public void ReportsThePacketLeftUnanswered()
    {
        var unanswered = new HashSet<SentPacket> { Second };
        var missed = new BlockingCollection<string>();
        using var deadlines = new AnswerDeadlines(Grace, packet => { lock (unanswered) return unanswered.Contains(packet); }, missed.Add);

        deadlines.Await(First, "a new command");
        deadlines.Await(Second, "a stop");

        Assert.True(missed.TryTake(out string? what, TimeSpan.FromSeconds(30)));
        Assert.Equal("a stop", what);
        // Once is enough: the session is broken by then.
        Assert.False(missed.TryTake(out _, Grace + AnswerDeadlines.BatchMilliseconds * 2));
    }

    [Fact]
    public void ReportsNothingAnsweredInTime()
    {
        var missed = new BlockingCollection<string>();
        using var deadlines = new AnswerDeadlines(Grace, _ => false, missed.Add);

        for (int i = 0; i < 100; i++) deadlines.Await(new SentPacket(PacketKind.Command, Guid.NewGuid(), i), "a new command");

        Assert.False(missed.TryTake(out _, Grace + AnswerDeadlines.BatchMilliseconds * 2));
    }

    [Fact]
    public void ReportsNothingOnceDisposed()
    {
        var missed = new BlockingCollection<string>();
        var deadlines = new AnswerDeadlines(Grace, _ => true, missed.Add);
        deadlines.Await(First, "a close");
        deadlines.Dispose();
        deadlines.Await(Second, "a stop");

        Assert.False(missed.TryTake(out _, Grace + AnswerDeadlines.BatchMilliseconds * 2));
    }

    [Fact]
    public void ReportsNothingWhilePausedAndGivesAFullGraceAfter()
    {
        var missed = new BlockingCollection<string>();
        using var deadlines = new AnswerDeadlines(Grace, _ => true, missed.Add);
        deadlines.Pause();
        deadlines.Await(First, "a new command");
        Assert.False(missed.TryTake(out _, Grace + AnswerDeadlines.BatchMilliseconds * 2), "paused");
        deadlines.Resume();
        // The control: unanswered, it is reported once the transport reads the child again.
        Assert.True(missed.TryTake(out string? what, TimeSpan.FromSeconds(30)));
        Assert.Equal("a new command", what);
    }

    // Red team: the transport pauses the deadlines at every command's end that follows a session
    // host call (HostCatchUp), for as short as the child likes. A child that ends another command
    // (a thread job's) every few seconds must not keep a stop or a command it never answers alive
    // for good: each resume gave every deadline a full grace again.
    [Fact]
    public void ShortPausesOverAndOverDoNotPutOffAMissedAnswerForGood()
    {
        var missed = new BlockingCollection<string>();
        using var deadlines = new AnswerDeadlines(1000, _ => true, missed.Add);
        deadlines.Await(First, "a stop");
        var started = Environment.TickCount64;
        bool reported = false;
        // Eight seconds of pauses of a few milliseconds, one every 300 ms: hardly any time not reading the child.
        while (Environment.TickCount64 - started < 8000 && !(reported = missed.TryTake(out _, 300)))
        {
            deadlines.Pause();
            Thread.Sleep(5);
            deadlines.Resume();
        }
        Assert.True(reported, "an answer missed by seconds of reading time was never reported");
        Assert.True(Environment.TickCount64 - started < 1000 + AnswerDeadlines.BatchMilliseconds * 3 + 1000);
    }
    // Red team (round 9): a packet sent during a pause (a command sent while another's end waits for
    // its catch-up, up to 10 s) was given back the whole pause at the resume, also the part before it
    // was sent: a child that never answers it was ended up to 10 s late. It gets back only the time
    // it waited in the pause.
    [Fact]
    public void APacketSentDuringAPauseGetsBackOnlyThePartOfThePauseAfterIt()
    {
        var missed = new BlockingCollection<string>();
        using var deadlines = new AnswerDeadlines(1000, _ => true, missed.Add);
        deadlines.Pause();
        Thread.Sleep(3000);
        var sent = Environment.TickCount64;
        deadlines.Await(First, "a new command");
        Thread.Sleep(100);
        deadlines.Resume();
        Assert.True(missed.TryTake(out _, TimeSpan.FromSeconds(30)));
        // Due 1000 ms after it was sent, plus the 100 ms it waited in the pause, checked in batches.
        Assert.True(Environment.TickCount64 - sent < 1100 + AnswerDeadlines.BatchMilliseconds * 2, $"reported after {Environment.TickCount64 - sent} ms");
    }
}
