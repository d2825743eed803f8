using System;
using System.Collections.Generic;
using System.Threading;

namespace LandlockPS.Remoting;

/// <summary>
/// What a session sent that its server answers on receipt, each with the time its answer is due:
/// one timer for the whole session, armed for the earliest, rather than one per call. A call sends
/// a command and closes it, so a timer each would cost every call an allocation and, five seconds
/// later, a thread pool wakeup. Deadlines are checked in batches, so an answer missing is noticed
/// up to <see cref="BatchMilliseconds"/> after its due time; an answer that comes in time never counts.
/// </summary>
internal sealed class AnswerDeadlines : IDisposable
{
    /// <summary>The least time between two checks, however many deadlines fall within it.</summary>
    internal const int BatchMilliseconds = 500;

    private readonly int _graceMilliseconds;
    private readonly Func<SentPacket, bool> _isUnanswered;
    private readonly Action<string> _missed;
    private readonly TimeProvider _time;
    private readonly long _origin;
    // Each with when it was sent (Since): a resume gives back only the part of the pause it waited through.
    private readonly Queue<(SentPacket Packet, string What, long Due, long Since)> _pending = new();
    private readonly ITimer _timer;
    private bool _armed;
    private bool _disposed;
    private bool _paused;
    private long _pausedAt;

    /// <param name="graceMilliseconds">How long the server has to answer.</param>
    /// <param name="isUnanswered">Whether the server has still to answer a packet sent.</param>
    /// <param name="missed">Called (on a pool thread) with what went unanswered, e.g. "a new command": once, for the first one missed.</param>
    /// <param name="time">The clock and timer (the system's unless a test gives its own).</param>
    internal AnswerDeadlines(int graceMilliseconds, Func<SentPacket, bool> isUnanswered, Action<string> missed, TimeProvider? time = null)
    {
        _graceMilliseconds = graceMilliseconds;
        _isUnanswered = isUnanswered;
        _missed = missed;
        _time = time ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
        _timer = _time.CreateTimer(_ => Check(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    // Milliseconds since this was made.
    private long Now => (long)_time.GetElapsedTime(_origin).TotalMilliseconds;

    private void Arm(long milliseconds) => _timer.Change(TimeSpan.FromMilliseconds(milliseconds), Timeout.InfiniteTimeSpan);

    /// <summary>Expects the server to answer <paramref name="packet"/> (described as <paramref name="what"/>) within the grace time.</summary>
    internal void Await(SentPacket packet, string what)
    {
        lock (_pending)
        {
            if (_disposed) return;
            // Every deadline has the same grace, so the queue stays in the order they fall due.
            long now = Now;
            _pending.Enqueue((packet, what, now + _graceMilliseconds, now));
            if (_armed) return;
            _armed = true;
            Arm(_graceMilliseconds);
        }
    }

    /// <summary>The transport stops reading the child for a while: an answer it sends meanwhile waits in its pipe, and is not late.</summary>
    internal void Pause()
    {
        lock (_pending)
        {
            if (_paused) return;
            _paused = true;
            _pausedAt = Now;
        }
    }

    /// <summary>
    /// The transport reads the child again: every answer still due gets back the time the pause
    /// took while it waited (for one sent during the pause, only the part after it was sent), and
    /// no more. A full grace from now would let a child that chooses when pauses come (a command's
    /// end after its own host calls, see HostCatchUp) put off a missed answer for good, with pauses
    /// of no length, one every few seconds.
    /// </summary>
    internal void Resume()
    {
        lock (_pending)
        {
            if (!_paused) return;
            _paused = false;
            long now = Now;
            int count = _pending.Count;
            // The queue stays in the order the deadlines fall due: what was sent before the pause gets
            // back all of it, and falls due before what was sent during it.
            for (int i = 0; i < count; i++)
            {
                var (packet, what, due, since) = _pending.Dequeue();
                _pending.Enqueue((packet, what, due + (now - Math.Max(_pausedAt, since)), since));
            }
        }
    }

    private void Check()
    {
        string? missed = null;
        lock (_pending)
        {
            if (_disposed) return;
            long now = Now;
            if (_paused)
            {
                Arm(BatchMilliseconds);
                return;
            }
            while (_pending.TryPeek(out var next) && next.Due <= now)
            {
                _pending.Dequeue();
                if (missed is null && _isUnanswered(next.Packet)) missed = next.What;
            }
            _armed = missed is null && _pending.Count > 0;
            if (_armed) Arm(Math.Max(_pending.Peek().Due - now, BatchMilliseconds));
        }
        if (missed is not null) _missed(missed);
    }

    public void Dispose()
    {
        lock (_pending)
        {
            _disposed = true;
            _pending.Clear();
        }
        _timer.Dispose();
    }
}
