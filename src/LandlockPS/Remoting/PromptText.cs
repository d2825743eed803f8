using System;

namespace LandlockPS.Remoting;

/// <summary>
/// Keeps what a sandbox's prompt shows between its [sandbox] mark and the line you type on short.
/// The mark leads the prompt's caption; line ends, and long lines the terminal wraps, in the caption,
/// the message or the user name after it would push the mark off the screen, and leave a bare
/// "Password:" in sight. What does not fit is cut, and the cut is shown.
/// </summary>
internal static class PromptText
{
    /// <summary>The rows a prompt's caption (with the mark) and message take together at most: the mark stays in sight on a 24-row terminal.</summary>
    public const int MaxRows = 12;

    /// <summary>The rows of the caption, which leads with the mark, and of what a prompt shows on one line with your answer.</summary>
    public const int LineRows = 2;

    private const string Cut = " [...]";

    /// <summary>
    /// <paramref name="text"/> cut to fit <paramref name="rows"/> rows of a terminal <paramref name="width"/>
    /// columns wide; <paramref name="used"/>: the rows it takes. The console host wraps at word
    /// boundaries, one column short of the width: a row is counted as holding only half of that.
    /// </summary>
    public static string Fit(string text, int width, int rows, out int used)
    {
        int perRow = Math.Max(1, (width - 1) / 2);
        used = 0;
        for (int start = 0; start <= text.Length;)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            int lineRows = Math.Max(1, (end - start + perRow - 1) / perRow);
            if (used + lineRows > rows)
            {
                // The rest of the room on this line, less the cut's mark; none left: the cut ends the line before.
                int room = (rows - used) * perRow - Cut.Length;
                used = rows;
                return room > 0 ? text[..(start + room)] + Cut : text[..Math.Max(0, start - 1)] + Cut;
            }
            used += lineRows;
            start = end + 1;
        }
        return text;
    }

    /// <summary><paramref name="text"/> on one line: its line ends shown as symbols, as other control characters are.</summary>
    public static string OneLine(string text) => text.Replace('\r', '\u240d').Replace('\n', '\u240a');
}
