using System;
using System.Diagnostics;
using System.Threading;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// Ends a child the way a terminal user would: first a request it may handle (SIGINT for Ctrl+C,
/// SIGTERM for a timeout, or a key typed at its terminal), then SIGKILL to its group if it has not
/// ended when the grace period is over. The request may come from any thread; the kill happens in
/// <see cref="Enforce"/>, on the thread that services the child.
/// </summary>
public sealed class GracefulStop(SandboxedProcess process, TimeSpan grace)
{
    /// <summary>What Ctrl+C sends.</summary>
    public const int Interrupt = ProcessApi.SIGINT;

    /// <summary>What a timeout sends.</summary>
    public const int Terminate = ProcessApi.SIGTERM;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _deadline = -1;

    /// <summary>Whether the child was asked to end.</summary>
    public bool Requested => Interlocked.Read(ref _deadline) >= 0;

    /// <summary>Whether the grace period ran out and the child's group was killed.</summary>
    public bool Killed { get; private set; }

    /// <summary>Sends <paramref name="signal"/> to the child's group and starts the grace period; only the first request counts.</summary>
    public void Request(int signal) => Request(() => process.Signal(signal));

    /// <summary>Asks the child to end with <paramref name="ask"/> (e.g. typing its interrupt key) and starts the grace period; only the first request counts.</summary>
    public void Request(Action ask)
    {
        ArgumentNullException.ThrowIfNull(ask);
        long deadline = _clock.ElapsedMilliseconds + (long)grace.TotalMilliseconds;
        if (Interlocked.CompareExchange(ref _deadline, deadline, -1) != -1) return;
        ask();
        process.Wake();
    }

    /// <summary>Kills the child's group once the grace period is over, if it still runs.</summary>
    public void Enforce()
    {
        long deadline = Interlocked.Read(ref _deadline);
        if (deadline < 0 || Killed || process.HasExited || _clock.ElapsedMilliseconds < deadline) return;
        Killed = true;
        process.Kill();
    }
}
