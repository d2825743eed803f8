using System.IO;
using LandlockPS.Core.Landlock;
using Xunit;
using static LandlockPS.Tests.SandboxHarness;

namespace LandlockPS.Tests;

/// <summary>
/// The test-only ABI cap (LANDLOCKPS_TEST_ABI_CAP) is read by the shipped module: whoever sets it in a
/// user's environment must not be able to loosen a sandbox with it. It lowers what is reported and
/// decided; the kernel is still handed every right of the ruleset it has.
/// </summary>
[Collection(SerialCollection.Name)]
public class AbiCapTests
{
    [RequireAbiFact(3)]
    public void ACappedLaunchReportsARightAsDroppedAndTheKernelStillDeniesIt()
    {
        using var t = new TempTree();
        string file = t.File("box/data.txt", "keep me\n");
        LandlockRuleset readWrite = SystemRuleset(LandlockAbi.V3);
        readWrite.AddPathRule(file, LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile);
        LandlockRuleset withTruncate = readWrite.Clone();
        withTruncate.AddPathRule(file, LandlockAccessFs.Truncate);

        using (new EnvironmentSetting(LandlockSupport.AbiCapVariable, "2"))
        {
            Result denied = Run(readWrite, "/usr/bin/truncate", "-s", "0", file);
            Assert.Contains("Truncate", denied.Enforcement.Dropped);
            Assert.Equal(EnforcementStatus.PartiallyEnforced, denied.Enforcement.Status);
            Assert.NotEqual(0, denied.ExitCode);
            Assert.Contains("Permission denied", denied.Stderr);
            Assert.Equal("keep me\n", File.ReadAllText(file));

            // The allowed twin, under the same cap: the rule's Truncate reaches the kernel too.
            Assert.Equal(0, Run(withTruncate, "/usr/bin/truncate", "-s", "0", file).ExitCode);
            Assert.Equal(0, new FileInfo(file).Length);
        }
    }

    [RequireAbiFact(1)]
    public void ACapOfZeroWithAllowUnconfinedStillConfines()
    {
        using var t = new TempTree();
        string secret = t.File("box/secret.txt");
        using (new EnvironmentSetting(LandlockSupport.AbiCapVariable, "0"))
        {
            var info = new LandlockPS.Core.Sandbox.SandboxStartInfo("/bin/cat") { Arguments = [secret], Environment = Env, AllowUnconfined = true };
            Result denied = Run(SystemRuleset(), info);
            Assert.Equal(EnforcementStatus.NotEnforced, denied.Enforcement.Status);
            Assert.NotEqual(0, denied.ExitCode);
            Assert.Contains("Permission denied", denied.Stderr);

            LandlockRuleset allowed = SystemRuleset();
            allowed.AddPathRule(t.Root, LandlockAccessFs.ReadFile);
            Assert.Equal("secret\n", Run(allowed, info).Stdout);
        }
    }
}
