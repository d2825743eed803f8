using System.Linq;
using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

public class PromptTextTests
{
    [Fact]
    public void KeepsAShortMessageWhole()
    {
        const string confirm = "Are you sure you want to perform this action?\nPerforming the operation \"Remove File\" on target \"x\".";
        Assert.Equal(confirm, PromptText.Fit(confirm, 80, PromptText.MaxRows, out int used));
        // Two lines of 45 and 51 characters, counted as rows of 39.
        Assert.Equal(4, used);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(11)]
    public void CutsLineEndsPastTheRows(int lineEnds)
    {
        string shown = PromptText.Fit(new string('\n', lineEnds) + "Password", 80, 11, out int used);
        Assert.True(shown.Count(c => c == '\n') < 11);
        Assert.EndsWith("[...]", shown);
        Assert.Equal(11, used);
    }

    [Fact]
    public void CutsALongLineAsTheTerminalWouldWrapIt()
    {
        string shown = PromptText.Fit(new string('x', 10_000), 81, 3, out int used);
        // Counted as 40 characters a row (half of one column short of the width), the cut's mark included.
        Assert.Equal(120, shown.Length);
        Assert.EndsWith("[...]", shown);
        Assert.Equal(3, used);
    }

    [Fact]
    public void ShowsLineEndsOnOneLine() => Assert.Equal("a\u240d\u240ab", PromptText.OneLine("a\r\nb"));
}
