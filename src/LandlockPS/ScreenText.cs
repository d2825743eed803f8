using System;
using System.Collections.Generic;
using System.Linq;

namespace LandlockPS;

/// <summary>
/// Fits the text of a view to the terminal it is shown on, where PowerShell breaks a long line wherever
/// the screen ends, inside a word ("grants WriteFi" then "le.") or a command to paste.
/// </summary>
public static class ScreenText
{
    /// <summary>
    /// Breaks each line of <paramref name="text"/> that does not fit a screen <paramref name="screenWidth"/>
    /// wide at spaces, going on indented two more than it; a word longer than the room keeps a line of its
    /// own. A line that starts, after its indent, with <paramref name="commandPrefix"/> holds a PowerShell
    /// command: it breaks only outside quotes and ends each broken line with a backtick, so the command
    /// still pastes whole. With no screen (<paramref name="screenWidth"/> 0: the output goes to a file or a
    /// pipe) the text is left as it is.
    /// </summary>
    public static string FitWords(string text, int screenWidth, string? commandPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        // One column short of the screen: a line that fills it would leave the cursor past the edge.
        int width = screenWidth - 1;
        if (width <= 0) return text;
        IEnumerable<string> lines = text.Split('\n').SelectMany(line =>
            line.Length <= width ? [line]
            : commandPrefix is not null && line.TrimStart(' ').StartsWith(commandPrefix, StringComparison.Ordinal) ? BreakCommand(line, width)
            : Break(line, Words(line), width));
        return string.Join("\n", lines);
    }

    // A backtick ends each line but the last, except within a <# #> comment, which goes on by itself;
    // the room for it is kept on every line.
    private static IEnumerable<string> BreakCommand(string line, int width)
    {
        List<string> lines = Break(line, QuotedWords(Words(line)), width - 2);
        int openComments = 0;
        for (int i = 0; i < lines.Count - 1; i++)
        {
            openComments += Occurrences(lines[i], "<#") - Occurrences(lines[i], "#>");
            if (openComments == 0) lines[i] += " `";
        }
        return lines;
    }

    private static int Occurrences(string text, string part) => text.Split(part).Length - 1;

    private static List<string> Break(string line, IEnumerable<string> words, int width)
    {
        int indent = line.Length - line.TrimStart(' ').Length;
        var lines = new List<string>();
        string current = line[..indent];
        bool fresh = true;
        foreach (string word in words)
        {
            if (!fresh && current.Length + 1 + word.Length > width)
            {
                lines.Add(current);
                current = new string(' ', indent + 2);
                fresh = true;
            }
            current = fresh ? current + word : $"{current} {word}";
            fresh = false;
        }
        lines.Add(current);
        return lines;
    }

    private static string[] Words(string line) => line.TrimStart(' ').Split(' ');

    // A single-quoted string (a path with spaces; '' inside is a quote) stays one word: a backtick within
    // it would be part of the path.
    private static IEnumerable<string> QuotedWords(IEnumerable<string> words)
    {
        string? open = null;
        foreach (string word in words)
        {
            string joined = open is null ? word : $"{open} {word}";
            if (joined.Count(c => c == '\'') % 2 == 1) { open = joined; continue; }
            open = null;
            yield return joined;
        }
        if (open is not null) yield return open;
    }
}
