using System.Collections.Generic;
using System.Linq;
using System.Text;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>The line splitting of a program's output (LandlockPS.LineDecoder), however the bytes arrive.</summary>
public class LineDecoderTests
{
    private static List<string> Decode(LineDecoder decoder, byte[] bytes, int chunk)
    {
        var lines = new List<string>();
        for (int at = 0; at < bytes.Length; at += chunk)
        {
            byte[] piece = bytes.Skip(at).Take(chunk).ToArray();
            lines.AddRange(decoder.Push(piece, piece.Length));
        }
        if (decoder.Flush() is { } last) lines.Add(last);
        return lines;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public void LinesComeOutWholeHoweverTheBytesAreSplit(int chunk)
    {
        // A three-byte character (€) and a four-byte one (😀) are split across chunks at the small sizes.
        byte[] bytes = Encoding.UTF8.GetBytes("first €uro\r\nsecond 😀\n\nlast without end");
        Assert.Equal(["first €uro", "second 😀", "", "last without end"], Decode(new LineDecoder(Encoding.UTF8), bytes, chunk));
    }

    [Fact]
    public void ALineLongerThanTheLimitIsCutIntoPiecesAndCountedOnce()
    {
        var decoder = new LineDecoder(Encoding.UTF8, maxLineChars: 4);
        List<string> lines = Decode(decoder, Encoding.UTF8.GetBytes("abcdefghij\nabcd\nxy\n"), 3);
        Assert.Equal(["abcd", "efgh", "ij", "abcd", "xy"], lines);
        Assert.Equal(1, decoder.SplitLines);
        Assert.Equal(4, decoder.MaxLineChars);
    }

    [Fact]
    public void AnIncompleteCharacterAtTheEndIsFlushedAsAReplacement()
    {
        var decoder = new LineDecoder(Encoding.UTF8);
        byte[] euro = Encoding.UTF8.GetBytes("€");
        Assert.Empty(decoder.Push(euro, 2));
        Assert.Equal("\uFFFD", decoder.Flush());
        Assert.Null(decoder.Flush());
    }

    [Fact]
    public void OnlyOneCarriageReturnBeforeTheNewlineIsTrimmed()
    {
        var decoder = new LineDecoder(Encoding.UTF8);
        Assert.Equal(["a\r", "b"], Decode(decoder, Encoding.UTF8.GetBytes("a\r\r\nb\r"), 2));
    }
}
