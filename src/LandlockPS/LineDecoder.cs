using System;
using System.Collections.Generic;
using System.Text;

namespace LandlockPS;

/// <summary>
/// Turns a byte stream into lines as it arrives, however the bytes are split into chunks. A line
/// longer than <paramref name="maxLineChars"/> is cut into pieces of that length, counted in
/// <see cref="SplitLines"/>: what is pending never grows without bound.
/// </summary>
internal sealed class LineDecoder(Encoding encoding, int maxLineChars = int.MaxValue)
{
    private readonly Decoder _decoder = encoding.GetDecoder();
    private readonly StringBuilder _pending = new();

    /// <summary>How many lines were too long and were cut.</summary>
    public int SplitLines { get; private set; }

    public int MaxLineChars => maxLineChars;

    /// <summary>The complete lines in this chunk (and what was pending before it), without line ends.</summary>
    public IEnumerable<string> Push(byte[] buffer, int count)
    {
        char[] chars = new char[_decoder.GetCharCount(buffer, 0, count)];
        int n = _decoder.GetChars(buffer, 0, count, chars, 0);
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < n; i++)
        {
            if (chars[i] == '\n')
            {
                _pending.Append(chars, start, i - start);
                lines.Add(TrimCarriageReturn(_pending.ToString()));
                _pending.Clear();
                start = i + 1;
                _splitting = false;
            }
            else if (_pending.Length + (i - start) == maxLineChars)
            {
                // A full piece with more of the line to come: cut it here.
                _pending.Append(chars, start, i - start);
                lines.Add(_pending.ToString());
                _pending.Clear();
                start = i;
                if (!_splitting) SplitLines++;
                _splitting = true;
            }
        }
        _pending.Append(chars, start, n - start);
        return lines;
    }

    // Inside a line already cut: its further pieces count as the same line.
    private bool _splitting;

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
