using System;
using System.Collections.Generic;
using System.Text;

namespace LandlockPS;

/// <summary>Turns a byte stream into lines as it arrives, however the bytes are split into chunks.</summary>
internal sealed class LineDecoder(Encoding encoding)
{
    private readonly Decoder _decoder = encoding.GetDecoder();
    private readonly StringBuilder _pending = new();

    /// <summary>The complete lines in this chunk (and what was pending before it), without line ends.</summary>
    public IEnumerable<string> Push(byte[] buffer, int count)
    {
        char[] chars = new char[_decoder.GetCharCount(buffer, 0, count)];
        int n = _decoder.GetChars(buffer, 0, count, chars, 0);
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < n; i++)
        {
            if (chars[i] != '\n') continue;
            _pending.Append(chars, start, i - start);
            lines.Add(TrimCarriageReturn(_pending.ToString()));
            _pending.Clear();
            start = i + 1;
        }
        _pending.Append(chars, start, n - start);
        return lines;
    }

    /// <summary>The last line if the stream did not end with a newline.</summary>
    public string? Flush()
    {
        char[] tail = new char[_decoder.GetCharCount([], 0, 0, flush: true)];
        _decoder.GetChars([], 0, 0, tail, 0, flush: true);
        _pending.Append(tail);
        if (_pending.Length == 0) return null;
        string last = TrimCarriageReturn(_pending.ToString());
        _pending.Clear();
        return last;
    }

    private static string TrimCarriageReturn(string line) => line.EndsWith('\r') ? line[..^1] : line;
}
