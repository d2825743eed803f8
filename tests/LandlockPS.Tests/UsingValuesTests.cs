using System.Collections;
using System.Linq;
using System.Management.Automation;
using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>How a script block's $using: expressions are evaluated in the caller's scope and rewritten for the child (UsingValues.Rewrite).</summary>
public sealed class UsingValuesTests : System.IDisposable
{
    private readonly HostedPowerShell _host = new();

    public void Dispose() => _host.Dispose();

    // Values arrive as PowerShell returns them (wrapped); compare what they wrap.
    private static object? Plain(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    private (string Script, object?[] Values) Rewrite(string block, params (string, object?)[] variables)
    {
        foreach ((string name, object? value) in variables) _host.Run("", (name, value)).Shell.Dispose();
        _host.OnThisThread();
        (string script, object?[] values) = UsingValues.Rewrite(ScriptBlock.Create(block), _host.SessionState);
        return (script, System.Array.ConvertAll(values, Plain));
    }

    [Fact]
    public void EachUsingBecomesAnElementOfTheChildsArrayInOrder()
    {
        (string script, object?[] values) = Rewrite("$using:a + $using:b", ("a", 1), ("b", "two"));
        Assert.Equal("$($global:__LandlockUsing[0]) + $($global:__LandlockUsing[1])", script);
        Assert.Equal([1, "two"], values);
    }

    [Fact]
    public void NestedBlocksMemberAndIndexAccessAndStringsAreRewritten()
    {
        (string script, object?[] values) = Rewrite(
            "{ Where-Object { $_ -eq $using:x } }; $using:h.Name; $using:list[1]; \"in $using:x text\"",
            ("x", 5), ("h", new Hashtable { ["Name"] = "n" }), ("list", new[] { "p", "q" }));
        Assert.DoesNotContain("$using:", script, System.StringComparison.OrdinalIgnoreCase);
        Assert.Equal(4, values.Length);
        Assert.Equal([5, "n", "q", 5], values);
        Assert.Contains("\"in $($global:__LandlockUsing[3]) text\"", script);
    }

    [Fact]
    public void ACollectionComesBackWholeAndANullAsNull()
    {
        (_, object?[] values) = Rewrite("$using:many; $using:nothing", ("many", new[] { 1, 2, 3 }), ("nothing", null));
        Assert.Equal(new object?[] { 1, 2, 3 }, ((IEnumerable)values[0]!).Cast<object?>().Select(Plain));
        Assert.Null(values[1]);
    }

    [Fact]
    public void SplattingGetsAVariableOfItsOwn()
    {
        (string script, _) = Rewrite("Get-Thing @using:p", ("p", new Hashtable { ["Path"] = "/" }));
        Assert.Equal("Get-Thing @__LandlockUsing_0", script);
    }

    [Fact]
    public void AFiltersBodyRunsPerObjectAndAFunctionKeepsItsParameters()
    {
        _host.Run("filter Double { $_ * 2 }; function Add-One([int] $n) { $n + 1 }").Shell.Dispose();
        _host.OnThisThread();
        var double_ = (ScriptBlock)_host.Objects("${function:Double}")[0];
        Assert.StartsWith("process {", UsingValues.Rewrite(double_, _host.SessionState).Script);
        var addOne = (ScriptBlock)_host.Objects("${function:Add-One}")[0];
        Assert.StartsWith("param([int] $n)", UsingValues.Rewrite(addOne, _host.SessionState).Script);
    }
}
