using LandlockPS.Core;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>What text from a sandbox may not carry onto the caller's screen, and what it may.</summary>
public class ControlCharactersTests
{
    [Theory]
    [InlineData('\u0007')]
    [InlineData('\u001b')]
    [InlineData('\u007f')]
    [InlineData('\u009b')]
    [InlineData('\u202e')] // right-to-left override
    [InlineData('\u2067')] // right-to-left isolate
    [InlineData('\u200f')] // right-to-left mark
    [InlineData('\u061c')] // Arabic letter mark
    [InlineData('\u2028')] // line separator
    [InlineData('\u2029')] // paragraph separator
    public void ShowsWhatActsOnTheScreenAsASymbol(char control)
    {
        string text = $"/tmp/a{control}b.txt";
        Assert.True(ControlCharacters.Any(text));
        string shown = HostText.Plain(text);
        Assert.False(ControlCharacters.Any(shown));
        Assert.Equal(text.Length, shown.Length);
        Assert.StartsWith("/tmp/a", shown);
        Assert.EndsWith("b.txt", shown);
    }

    [Theory]
    [InlineData("/srv/données/rapport.txt")]
    [InlineData("/home/李/文件.txt")]
    [InlineData("/tmp/שלום.txt")]
    [InlineData("emoji \U0001F600 and a zero-width joiner \u200d stay")]
    public void LeavesOrdinaryTextInAnyScriptAlone(string text)
    {
        Assert.False(ControlCharacters.Any(text));
        Assert.Same(text, HostText.Plain(text));
        Assert.Same(text, HostText.Neutralize(text));
    }
}
