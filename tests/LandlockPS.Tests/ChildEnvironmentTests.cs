using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>How a child's environment is built from -Environment and -ClearEnvironment (LandlockPS.ChildEnvironment).</summary>
public class ChildEnvironmentTests
{
    [Fact]
    public void ACleanEnvironmentHoldsOnlyASafePathAndTheChanges()
    {
        Dictionary<string, string> env = ChildEnvironment.Build(new Hashtable { ["LANG"] = "C.UTF-8" }, clear: true);
        Assert.Equal(new Dictionary<string, string> { ["PATH"] = ChildEnvironment.SafePath, ["LANG"] = "C.UTF-8" }, env);
    }

    [Fact]
    public void TheCallersEnvironmentIsInheritedAndChangedAndANullRemoves()
    {
        string home = Environment.GetEnvironmentVariable("HOME")!;
        Dictionary<string, string> env = ChildEnvironment.Build(new Hashtable { ["HOME"] = null, ["COUNT"] = 3, ["WRAPPED"] = PSObject.AsPSObject("w") }, clear: false);
        Assert.False(env.ContainsKey("HOME"), $"HOME ({home}) was removed");
        Assert.Equal("3", env["COUNT"]);
        Assert.Equal("w", env["WRAPPED"]);
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), env["PATH"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("A=B")]
    [InlineData("A\0B")]
    public void ANameNoEnvironmentCanHoldIsRefused(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => ChildEnvironment.Build(new Hashtable { [name == "" ? (object)"" : name] = "x" }, clear: true));
        Assert.Contains("not a valid environment variable name", e.Message);
    }

    [Fact]
    public void AValueWithANulIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => ChildEnvironment.Build(new Hashtable { ["A"] = "x\0y" }, clear: true));
        Assert.Contains("NUL", e.Message);
    }
}
