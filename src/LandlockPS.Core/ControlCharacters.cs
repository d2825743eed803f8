using System;
using System.Buffers;
using System.Linq;

namespace LandlockPS.Core;

/// <summary>
/// Control characters shown as visible symbols instead of reaching a terminal: text a sandbox chose
/// (a file name it made, a line it wrote) must not act on the screen it is shown on. Besides C0, DEL
/// and C1, the invisible marks that reorder what follows them (bidirectional embeddings, overrides
/// and isolates: a file name holding one makes the rest of a warning read backwards) or break a line where a
/// terminal does not (U+2028, U+2029): an editor or a log viewer the text is pasted into would.
/// </summary>
public static class ControlCharacters
{
    private static readonly SearchValues<char> All = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Select(c => (char)c)) + string.Concat(Enumerable.Range(0x7f, 0x21).Select(c => (char)c)) +
        "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069");

    /// <summary>True for C0 controls, DEL, C1 controls (a lone 0x9B is CSI to some terminals), bidirectional marks and the Unicode line and paragraph separators.</summary>
    public static bool IsControl(char c) => All.Contains(c);

    /// <summary>C0 and DEL have their own symbols (the U+2400 block); the others get U+FFFD.</summary>
    public static char Visible(char c) => c switch
    {
        < ' ' => (char)('\u2400' + c),
        '\u007f' => '\u2421',
        _ => '\uFFFD',
    };

    /// <summary>Whether <paramref name="text"/> holds a control character.</summary>
    public static bool Any(ReadOnlySpan<char> text) => text.ContainsAny(All);

    /// <summary><paramref name="text"/> with every control character (tabs and line ends too) shown as its symbol; null stays null.</summary>
    public static string? Printable(string? text)
    {
        if (text is null || !Any(text)) return text;
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++) span[i] = IsControl(source[i]) ? Visible(source[i]) : source[i];
        });
    }
}
