using System.Linq;
using System.Management.Automation;
using LandlockPS.Core.Landlock;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// The cmdlets as PowerShell binds them, hosted in-process: parameter binding, transformations,
/// streams and error records. What a user sees end to end is tested by Pester in a fresh pwsh.
/// </summary>
public sealed class HostedCmdletTests : System.IDisposable
{
    private readonly HostedPowerShell _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void NewLandlockRulesetBindsGroupsAgainstThePinnedAbiAndNamesADefaultedAbi()
    {
        var pinned = (LandlockRuleset)_host.Objects("New-LandlockRuleset -Abi V2 -HandledAccessFs ReadWrite")[0];
        Assert.Equal(AbiFeatures.Of(LandlockAbi.V2).AccessFs & LandlockAccessFs.ReadWrite, pinned.HandledAccessFs);

        (var output, PowerShell shell) = _host.Run("New-LandlockRuleset -Verbose");
        using (shell)
        {
            Assert.Equal(AbiFeatures.Newest, ((LandlockRuleset)output[0].BaseObject).Abi);
            Assert.Contains($"defaults to ABI {AbiFeatures.Newest}", shell.Streams.Verbose.Single().Message);
        }
    }

    [Theory]
    [InlineData("New-LandlockRuleset | Add-LandlockNetRule -Port 70000 -Access ConnectTcp", "InvalidPort", ErrorCategory.InvalidArgument)]
    [InlineData("New-LandlockRuleset -Abi V3 -HandledAccessFs IoctlDev", "AccessNotInAbi", ErrorCategory.InvalidArgument)]
    [InlineData("New-LandlockRuleset | Add-LandlockPathRule -LiteralPath /no/such/path -Access ReadOnly", "PathNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("Import-LandlockRuleset -LiteralPath /no/such/policy.json", "PolicyFileNotFound", ErrorCategory.ObjectNotFound)]
    public void ErrorsCarryTheirCataloguedIdAndCategory(string script, string id, ErrorCategory category)
    {
        var error = (ErrorRecord)_host.Objects($"try {{ {script} -ErrorAction Stop }} catch {{ $_ }}").Single();
        Assert.StartsWith(id + ",", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Equal(category.ToString(), Core.Errors.LandlockErrors.CategoryOf(id).ToString());
    }

    [Fact]
    public void ARulesetThroughSerializationIsRebuiltWithItsQuietSettings()
    {
        var ruleset = new LandlockRuleset(LandlockAbi.V10, quietAccessFs: LandlockAccessFs.ReadFile, quietScope: LandlockScope.Signal, name: "quiet");
        ruleset.AddPathRule("/usr", LandlockAccessFs.ReadExecute, quiet: true);
        ruleset.AddNetRule(443, LandlockAccessNet.ConnectTcp);
        // Depth 2, as Export-Clixml writes: the rules' own properties are kept.
        string xml = PSSerializer.Serialize(ruleset, depth: 2);
        var report = (LandlockEnforcementReport)_host.Objects(
            "Test-LandlockRuleset -Ruleset ([System.Management.Automation.PSSerializer]::Deserialize($xml))", ("xml", xml))[0];
        Assert.True(report.RequestedQuiet);
        Assert.Equal(LandlockAccessFs.ReadFile, report.QuietAccessFs);
        Assert.Equal(LandlockScope.Signal, report.QuietScope);
    }

    [RequireAbiFact(1)]
    public void InvokeSandboxedRunsAConfinedProgramAndSetsItsExitCode()
    {
        object[] output = _host.Objects(
            "$rs = New-LandlockRuleset -Abi V1 | Add-LandlockPathRule -Path /usr, /bin, /lib, /lib64, /etc -Access ReadExecute -IgnoreMissing -PassThru; " +
            "$rs | Invoke-Sandboxed /bin/sh -- -c 'echo confined; exit 3'; $LASTEXITCODE");
        Assert.Equal(["confined", 3], output);
    }
}
