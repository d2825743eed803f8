using System;
using System.Buffers;

namespace LandlockPS.Remoting;

/// <summary>Receives one line, without its line end; the span is only valid during the call.</summary>
internal delegate void LineHandler(ReadOnlySpan<byte> line);

/// <summary>
/// Cuts what a sandboxed pwsh writes on stdout into lines, as bytes: PowerShell remoting protocol is
/// ASCII, so a line is judged before anything is decoded, and only what passes becomes a string.
/// A line that arrives whole inside a chunk is handed out where it lies; only the unfinished tail
/// of a chunk is kept, in a pooled buffer returned as soon as its line is complete.
/// </summary>
internal sealed class ProtocolLineSplitter(int maxLineBytes)
{
    /// <summary>
    /// Buffers for protocol lines and fragments, shared by every session and kept by no thread: the
    /// shared pool would keep some for each session's thread.
    /// </summary>
    internal static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(ProtocolGuard.MaxLineBytes, 16);

    private byte[]? _pending;
    private int _pendingCount;

    /// <summary>
    /// Hands every line completed by <paramref name="chunk"/> to <paramref name="onLine"/>. False when
    /// a line grew past the limit without ending: nothing more of it is kept.
    /// </summary>
    public bool Push(ReadOnlySpan<byte> chunk, LineHandler onLine)
    {
        while (!chunk.IsEmpty)
        {
            int end = chunk.IndexOf((byte)'\n');
            if (end < 0) return Keep(chunk);
            if (_pendingCount == 0)
            {
                if (end > maxLineBytes) return false;
                onLine(TrimCarriageReturn(chunk[..end]));
            }
            else
            {
                if (!Keep(chunk[..end])) return false;
                onLine(TrimCarriageReturn(_pending.AsSpan(0, _pendingCount)));
                Release();
            }
            chunk = chunk[(end + 1)..];
        }
        return true;
    }

    /// <summary>Drops what is pending and returns the pooled buffer, if any.</summary>
    public void Release()
    {
        _pendingCount = 0;
        if (_pending is null) return;
        Buffers.Return(_pending);
        _pending = null;
    }

    private bool Keep(ReadOnlySpan<byte> part)
    {
        int needed = _pendingCount + part.Length;
        if (needed > maxLineBytes)
        {
            Release();
            return false;
        }
        if (_pending is null || _pending.Length < needed)
        {
            byte[] larger = Buffers.Rent(Math.Max(needed, 4096));
            _pending?.AsSpan(0, _pendingCount).CopyTo(larger);
            if (_pending is not null) Buffers.Return(_pending);
            _pending = larger;
        }
        part.CopyTo(_pending.AsSpan(_pendingCount));
        _pendingCount = needed;
        return true;
    }

    private static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> line) =>
        line.EndsWith((byte)'\r') ? line[..^1] : line;
}
