using System.Text;

namespace LandlockPS;

/// <summary>
/// Makes text from a sandbox safe to show on the caller's terminal: colours (SGR sequences) stay,
/// every other control sequence and control character is shown as a visible symbol instead of
/// reaching the terminal (an OSC 52 clipboard write, a title change, a cursor jump that hides
/// what came before). Tabs and line ends stay.
/// </summary>
internal static class HostText
{
    private const char Escape = '\u001b';

    /// <summary>Shows <paramref name="text"/>, which came from a sandbox, on the caller's host (the information stream, tagged PSHOST and <paramref name="tag"/>), neutralized.</summary>
    public static void Show(System.Management.Automation.Cmdlet cmdlet, string text, string tag) =>
        cmdlet.WriteInformation(new System.Management.Automation.HostInformationMessage { Message = Neutralize(text) }, ["PSHOST", tag]);

    /// <summary><paramref name="text"/> with nothing but colours and line layout left for the terminal to act on.</summary>
    public static string Neutralize(string text) => NeedsWork(text) ? Rewrite(text, keepLayout: true) : text;

    /// <summary>
    /// <paramref name="text"/> as plain text on one line: colours dropped, every other control
    /// character (tabs and line ends too) shown as its symbol. For text shown next to a mark that
    /// says whose it is: a colour would last past it, and could hide what comes after.
    /// </summary>
    public static string Plain(string text) => Core.ControlCharacters.Any(text) ? Rewrite(text, keepLayout: false) : text;

    // With keepLayout, colours, tabs and line ends stay; without, colours go, and tabs and line ends are shown as the rest.
    private static string Rewrite(string text, bool keepLayout)
    {
        var shown = new StringBuilder(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == Escape && ColourLength(text, i) is int length and > 0)
            {
                if (keepLayout) shown.Append(text, i, length);
                i += length - 1;
            }
            else
            {
                shown.Append((keepLayout ? IsControl(c) : Core.ControlCharacters.IsControl(c)) ? Visible(c) : c);
            }
        }
        return shown.ToString();
    }

    private static bool NeedsWork(string text)
    {
        foreach (char c in text)
        {
            if (IsControl(c)) return true;
        }
        return false;
    }

    // Tabs and line ends keep the layout; every other control character is shown, not obeyed.
    private static bool IsControl(char c) => c is not ('\t' or '\n' or '\r') && Core.ControlCharacters.IsControl(c);

    private static char Visible(char c) => Core.ControlCharacters.Visible(c);

    // ESC [ digits, ';' or ':' ... m: a colour or text attribute, nothing else.
    private static int ColourLength(string text, int start)
    {
        if (start + 2 >= text.Length || text[start + 1] != '[') return 0;
        for (int i = start + 2; i < text.Length; i++)
        {
            char c = text[i];
            if (c == 'm') return i - start + 1;
            if (!char.IsAsciiDigit(c) && c is not (';' or ':')) return 0;
        }
        return 0;
    }
}
