using Xunit;

namespace LandlockPS.Tests;

public class ScreenTextTests
{
    [Fact]
    public void Leaves_text_as_it_is_without_a_screen_or_when_it_fits()
    {
        const string text = "  WriteFile: No rule on /srv or a directory above it grants WriteFile.";
        Assert.Equal(text, ScreenText.FitWords(text, 0));
        Assert.Equal(text, ScreenText.FitWords(text, text.Length + 1));
    }

    [Fact]
    public void Breaks_prose_between_words_one_column_short_of_the_screen_going_on_two_deeper()
    {
        string fitted = ScreenText.FitWords("  ReadFile: No rule on /srv/data grants ReadFile.", 30);
        Assert.Equal("  ReadFile: No rule on\n    /srv/data grants\n    ReadFile.", fitted);
        Assert.All(fitted.Split('\n'), line => Assert.True(line.Length <= 29));
    }

    [Fact]
    public void Keeps_a_word_longer_than_the_room_on_a_line_of_its_own()
    {
        Assert.Equal("see\n  /a/very/long/path/indeed\n  here", ScreenText.FitWords("see /a/very/long/path/indeed here", 12));
    }

    [Fact]
    public void Breaks_a_command_outside_quotes_with_a_backtick_and_not_inside_a_block_comment()
    {
        string fitted = ScreenText.FitWords(
            "  Fix: Add-LandlockPathRule -LiteralPath '/srv/my data' -Access ReadFile <# once that path exists #>", 40, "Fix: ");
        Assert.Equal(
            "  Fix: Add-LandlockPathRule `\n    -LiteralPath '/srv/my data' `\n    -Access ReadFile <# once that\n    path exists #>",
            fitted);
        Assert.Equal(
            "  Fix: Add-LandlockPathRule -Access `\n    ReadFile <# once that path\n    exists, and more #>",
            ScreenText.FitWords("  Fix: Add-LandlockPathRule -Access ReadFile <# once that path exists, and more #>", 40, "Fix: "));
    }
}
