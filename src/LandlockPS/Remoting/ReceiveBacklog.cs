using System;
using System.Threading;

namespace LandlockPS.Remoting;

/// <summary>
/// Back pressure from the caller's pipeline to a sandboxed pwsh: what the transport handed to
/// PowerShell since the consumer last had nothing left to write. Past <see cref="Bound"/>, while
/// the consumer still has something waiting, the transport stops reading the child's output (it
/// keeps writing the child's input), and the child blocks on its own output until the consumer
/// catches up: it slows itself, and nothing is lost. With nothing waiting the child is never held
/// back: the consumer may be waiting for the rest of an object. Only a run that reports its
/// consumer (<see cref="Watch"/>) is held back.
/// </summary>
internal sealed class ReceiveBacklog
{
    /// <summary>Protocol bytes (base64 of serialised objects) that may wait for the consumer.</summary>
    internal const long Bound = 64L << 20;

    private long _handed;
    private Func<bool>? _waiting;
    private volatile bool _released;

    /// <summary>Makes the transport look again at once (it may be waiting for the consumer).</summary>
    internal Action? Wake { get; set; }

    /// <summary>Whether the transport should stop reading the child's output for now.</summary>
    internal bool IsFull => !_released && Volatile.Read(ref _handed) > Bound && Volatile.Read(ref _waiting) is { } waiting && waiting();

    /// <summary>From now on, the consumer reports when it has caught up; <paramref name="waiting"/> says whether it has anything left to write.</summary>
    internal void Watch(Func<bool> waiting) => Volatile.Write(ref _waiting, waiting);

    /// <summary>The transport handed <paramref name="bytes"/> of the child's protocol to PowerShell.</summary>
    internal void Handed(int bytes)
    {
        if (Volatile.Read(ref _waiting) is not null) Interlocked.Add(ref _handed, bytes);
    }

    /// <summary>The consumer has written everything that arrived.</summary>
    internal void CaughtUp()
    {
        if (Interlocked.Exchange(ref _handed, 0) > Bound) Wake?.Invoke();
    }

    /// <summary>Never holds the child back again: the run is stopping or over, and what is left must flow.</summary>
    internal void Release()
    {
        _released = true;
        Wake?.Invoke();
    }
}
