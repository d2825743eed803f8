using System;
using System.Buffers;
using System.IO;

namespace LandlockPS.Core.Native;

/// <summary>
/// Reads a whole stream into a buffer from the shared pool, for a read made at every launch (a
/// startup profile to copy, /proc/self/maps to scan) where a new array each time would cost the
/// caller's heap its size again and again.
/// </summary>
public static class PooledRead
{
    /// <summary>
    /// Reads <paramref name="input"/> to its end into a pooled buffer, which the caller gives back
    /// with <c>ArrayPool&lt;byte&gt;.Shared.Return</c>; <paramref name="length"/> bytes of it were read.
    /// Null (nothing to give back) when the stream holds more than <paramref name="maxBytes"/>: a file
    /// may grow after its size was checked, and no more than the limit is ever read.
    /// </summary>
    public static byte[]? ReadAtMost(Stream input, long maxBytes, out int length)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(maxBytes, (long)Array.MaxLength);
        long expected = input.CanSeek ? input.Length : 0;
        byte[] content = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1, Math.Max(expected + 1, 4096)));
        length = 0;
        while (length <= maxBytes)
        {
            if (length == content.Length)
            {
                byte[] grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1, 2L * length));
                content.AsSpan(0, length).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(content);
                content = grown;
            }
            int read = input.Read(content, length, content.Length - length);
            if (read == 0) return content;
            length += read;
        }
        ArrayPool<byte>.Shared.Return(content);
        length = 0;
        return null;
    }
}
