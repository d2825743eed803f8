using System;

namespace LandlockPS.Core;

/// <summary>
/// Control characters shown as visible symbols instead of reaching a terminal: text a sandbox chose
/// (a file name it made, a line it wrote) must not act on the screen it is shown on.
/// </summary>
public static class ControlCharacters
{
    /// <summary>True for C0 controls, DEL and C1 controls (a lone 0x9B is CSI to some terminals).</summary>
    public static bool IsControl(char c) => c is < ' ' or (>= '\u007f' and <= '\u009f');

    /// <summary>C0 and DEL have their own symbols (the U+2400 block); C1 controls get U+FFFD.</summary>
    public static char Visible(char c) => c switch
    {
        < ' ' => (char)('\u2400' + c),
        '\u007f' => '\u2421',
        _ => '\uFFFD',
    };

    /// <summary>Whether <paramref name="text"/> holds a control character.</summary>
    public static bool Any(ReadOnlySpan<char> text) => text.ContainsAnyInRange('\0', '\u001f') || text.ContainsAnyInRange('\u007f', '\u009f');

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
