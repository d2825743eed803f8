using System;
using System.Collections.Generic;
using System.Text;
using LandlockPS.Core.Sandbox;
using Xunit;

namespace LandlockPS.Tests;

public class TerminalOutputFilterTests
{
    private const string Esc = "\u001b";
    private const string Bel = "\u0007";

    public static TheoryData<string, string> Cases => new()
    {
        // What an editor draws passes as it came: colours, cursor moves, the title, hyperlinks.
        { $"{Esc}[1;31mred{Esc}[0m{Esc}[2J{Esc}[H", $"{Esc}[1;31mred{Esc}[0m{Esc}[2J{Esc}[H" },
        { $"{Esc}]0;vim notes.txt{Bel}text", $"{Esc}]0;vim notes.txt{Bel}text" },
        { $"{Esc}]8;;https://example.org{Esc}\\link{Esc}]8;;{Esc}\\", $"{Esc}]8;;https://example.org{Esc}\\link{Esc}]8;;{Esc}\\" },
        { $"{Esc}]5;x{Bel}{Esc}]520;x{Bel}", $"{Esc}]5;x{Bel}{Esc}]520;x{Bel}" },
        { "é ü \u00c2\u009d plain", "é ü \u00c2\u009d plain" },
        // The clipboard, the font and file transfers are dropped, whichever terminator ends them.
        { $"a{Esc}]52;c;ZXZpbA=={Bel}b", "ab" },
        { $"a{Esc}]52;c;ZXZpbA=={Esc}\\b", "ab" },
        { $"a{Esc}]52;c;?{Bel}b", "ab" },
        { $"a{Esc}]50;?{Bel}{Esc}]1337;File=name=eA==:eA=={Bel}{Esc}]5113;ac=send{Esc}\\b", "ab" },
        // ESC before anything but a backslash ends the command and starts a new sequence.
        { $"a{Esc}]52;c;ZXZp{Esc}[31mb", $"a{Esc}[31mb" },
        // The C1 form of OSC, as UTF-8.
        { "a\u009d52;c;ZXZp\u009cb", "ab" },
        // A lone ESC and an OSC with no number pass as they came.
        { $"{Esc}x{Esc}];x{Bel}", $"{Esc}x{Esc}];x{Bel}" },
        // Terminals read leading zeros as nothing: 052 is the clipboard, 00 the title.
        { $"a{Esc}]052;c;ZXZp{Bel}{Esc}]00;t{Bel}b", $"a{Esc}]00;t{Bel}b" },
        // A number too long to hold is no command anybody needs: dropped, however it is spelled.
        { $"a{Esc}]0000000052;c;ZXZp{Bel}b", "ab" },
        { $"a\u009d0000000052;c;ZXZp\u009cb", "ab" },
        { $"a{Esc}]12345678;x{Bel}b", "ab" },
        // C0 controls a terminal skips inside the number do not hide it; too many to hold are dropped too.
        { $"a{Esc}]5\u00012;c;ZXZp{Bel}b", "ab" },
        { $"a{Esc}]\u00015\u0002\u00032;c;ZXZp{Bel}b", "ab" },
        { $"a{Esc}]\u0001\u0001\u0001\u0001\u0001\u00010;t{Bel}b", "ab" },
        { $"a{Esc}]0\u0001;t{Bel}b", $"a{Esc}]0\u0001;t{Bel}b" },
        // Whatever ends the number of a dropped command drops it (tmux and kitty read "52c;" as 52), a DEL
        // inside it too (kitty skips it), and kitty's newer clipboard, 5522.
        { $"a{Esc}]52c;ZXZp{Bel}b", "ab" },
        { $"a{Esc}]5\u007f2;c;ZXZp{Bel}b", "ab" },
        { $"a{Esc}]52{Bel}b", "ab" },
        { $"a{Esc}]5522;type=write{Esc}\\b", "ab" },
        // At the limit of what is held, the whole sequence goes (six skipped controls, then ] and a digit).
        { $"a{Esc}\u0001\u0001\u0001\u0001\u0001\u0001]52;c;ZXZp{Bel}b", "ab" },
        // So do C0 controls and DEL between ESC and ].
        { $"a{Esc}\u0001]52;c;ZXZp{Bel}b", "ab" },
        { $"a{Esc}\r\u007f]52;c;ZXZp{Bel}b", "ab" },
        { $"a{Esc}\u0001[31mred", $"a{Esc}\u0001[31mred" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void DropsOnlyTheCommandsThatReachBeyondTheScreenHoweverTheOutputIsCut(string written, string shown)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(written);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            var filter = new TerminalOutputFilter();
            var result = new List<byte>();
            foreach (ReadOnlyMemory<byte> piece in new[] { bytes.AsMemory(0, cut), bytes.AsMemory(cut) })
            {
                var output = new byte[piece.Length + TerminalOutputFilter.MaxHeldBytes];
                result.AddRange(output.AsSpan(0, filter.Filter(piece.Span, output)).ToArray());
            }
            Assert.Equal(shown, Encoding.UTF8.GetString(result.ToArray()));
        }
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("a\u001b]52;c;ZXZp\u0007b", "ab")]
    [InlineData("\u001b[31mred\u001b[0m", "\u001b[31mred\u001b[0m")]
    [InlineData("ends in \u001b]5", "ends in ")]
    [InlineData("ends in \u001b", "ends in ")]
    [InlineData("ends in \u001b]52;c;ZXZp", "ends in ")]
    public void CleansAStringWholeAndKeepsAStringWithNothingToDropAsItIs(string text, string cleaned)
    {
        string result = TerminalOutputFilter.Clean(text);
        Assert.Equal(cleaned, result);
        if (cleaned == text) Assert.Same(text, result);
    }

    [Fact]
    public void DropsAnUnfinishedClipboardCommandToTheEnd()
    {
        var filter = new TerminalOutputFilter();
        byte[] bytes = Encoding.UTF8.GetBytes($"a{Esc}]52;c;{new string('A', 100_000)}");
        var output = new byte[bytes.Length + TerminalOutputFilter.MaxHeldBytes];
        Assert.Equal("a", Encoding.UTF8.GetString(output, 0, filter.Filter(bytes, output)));
    }
}
