using System;
using System.Collections.Generic;
using LandlockPS.Remoting;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// A session's answer deadlines: what the server has not answered when its time is up is reported
/// (once, the first missed), what it answered in time never is, and nothing is reported after dispose.
/// On a clock the test moves (the timer fires as it does), so a loaded machine changes nothing.
/// </summary>
public class AnswerDeadlinesTests
{
    private const int Grace = 50;
    private const int Batch = AnswerDeadlines.BatchMilliseconds;
    private static readonly SentPacket First = new(PacketKind.Command, Guid.NewGuid(), 1);
    private static readonly SentPacket Second = new(PacketKind.Signal, Guid.NewGuid(), 2);

    private readonly FakeTimeProvider _clock = new();
    private readonly List<string> _missed = [];

    private AnswerDeadlines Deadlines(int grace, Func<SentPacket, bool> isUnanswered) =>
        new(grace, isUnanswered, what => { lock (_missed) _missed.Add(what); }, _clock);

    private void Wait(int milliseconds) => _clock.Advance(TimeSpan.FromMilliseconds(milliseconds));

    // Moves the clock a millisecond at a time until something is reported: how long that took, or
    // null when nothing was within the limit.
    private long? MillisecondsUntilReported(int limit)
    {
        for (int waited = 0; waited <= limit; waited++)
        {
            lock (_missed)
            {
                if (_missed.Count > 0) return waited;
            }
            Wait(1);
        }
        return null;
    }

    [Fact]
    public void ReportsThePacketLeftUnanswered()
    {
        using AnswerDeadlines deadlines = Deadlines(Grace, packet => packet == Second);
        deadlines.Await(First, "a new command");
        deadlines.Await(Second, "a stop");

        Assert.Equal(Grace, MillisecondsUntilReported(Grace + Batch));
        Assert.Equal(["a stop"], _missed);
        // Once is enough: the session is broken by then.
        Wait(Batch * 4);
        Assert.Single(_missed);
    }

    [Fact]
    public void ReportsNothingAnsweredInTime()
    {
        using AnswerDeadlines deadlines = Deadlines(Grace, _ => false);
        for (int i = 0; i < 100; i++) deadlines.Await(new SentPacket(PacketKind.Command, Guid.NewGuid(), i), "a new command");
        Wait(Grace + Batch * 4);
        Assert.Empty(_missed);
    }

    [Fact]
    public void ReportsNothingOnceDisposed()
    {
        AnswerDeadlines deadlines = Deadlines(Grace, _ => true);
        deadlines.Await(First, "a close");
        deadlines.Dispose();
        deadlines.Await(Second, "a stop");
        Wait(Grace + Batch * 4);
        Assert.Empty(_missed);
    }

    [Fact]
    public void ReportsNothingWhilePausedAndGivesAFullGraceAfter()
    {
        using AnswerDeadlines deadlines = Deadlines(Grace, _ => true);
        deadlines.Pause();
        deadlines.Await(First, "a new command");
        Wait(Grace + Batch * 4);
        Assert.Empty(_missed);
        deadlines.Resume();
        // The control: unanswered, it is reported once the transport reads the child again, a full
        // grace later (noticed at the paused timer's next batch).
        long? after = MillisecondsUntilReported(Grace + Batch);
        Assert.NotNull(after);
        Assert.InRange(after.Value, Grace, Grace + Batch);
        Assert.Equal(["a new command"], _missed);
    }

    // Red team: the transport pauses the deadlines at every command's end that follows a session
    // host call (HostCatchUp), for as short as the child likes. A child that ends another command
    // (a thread job's) every few seconds must not keep a stop or a command it never answers alive
    // for good: each resume gave every deadline a full grace again.
    [Fact]
    public void ShortPausesOverAndOverDoNotPutOffAMissedAnswerForGood()
    {
        using AnswerDeadlines deadlines = Deadlines(1000, _ => true);
        deadlines.Await(First, "a stop");
        // Pauses of 5 ms, one every 300 ms: hardly any time not reading the child.
        int waited = 0;
        while (waited < 8000 && _missed.Count == 0)
        {
            deadlines.Pause();
            Wait(5);
            deadlines.Resume();
            Wait(295);
            waited += 300;
        }
        Assert.Equal(["a stop"], _missed);
        // Due after 1000 ms of reading time (and the pauses in it), noticed within a batch.
        Assert.InRange(waited, 1000, 1000 + Batch + 300);
    }

    // Red team (round 9): a packet sent during a pause (a command sent while another's end waits for
    // its catch-up, up to 10 s) was given back the whole pause at the resume, also the part before it
    // was sent: a child that never answers it was ended up to 10 s late. It gets back only the time
    // it waited in the pause.
    [Fact]
    public void APacketSentDuringAPauseGetsBackOnlyThePartOfThePauseAfterIt()
    {
        using AnswerDeadlines deadlines = Deadlines(1000, _ => true);
        deadlines.Pause();
        Wait(3000);
        deadlines.Await(First, "a new command");
        Wait(100);
        deadlines.Resume();
        // Due 1000 ms after it was sent, plus the 100 ms it waited in the pause, checked in batches
        // (given back the whole pause, it would be 4100 ms).
        long? afterSent = 100 + MillisecondsUntilReported(5000);
        Assert.NotNull(afterSent);
        Assert.InRange(afterSent.Value, 1100, 1100 + Batch);
    }
}
