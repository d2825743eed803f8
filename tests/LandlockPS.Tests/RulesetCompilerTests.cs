using System;
using System.IO;
using LandlockPS.Core;
using LandlockPS.Core.Errors;
using LandlockPS.Core.Landlock;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// Builds real kernel rulesets. Building never restricts the caller; confinement itself is tested
/// through the launch pad, in child processes.
/// </summary>
// Alone: a launch in another test holds a seccomp listener and restricts its launch thread for a moment.
[Collection(SerialCollection.Name)]
public class RulesetCompilerTests
{
    private static LandlockSupport Capped(int abi) => LandlockSupport.Query(abi);

    private static LandlockRuleset UsrAndHttps()
    {
        var rs = new LandlockRuleset();
        rs.AddPathRule("/usr", LandlockAccessFs.ReadExecute);
        rs.AddNetRule(443, LandlockAccessNet.ConnectTcp);
        return rs;
    }

    // As a kernel without seccomp filters would be: nothing can be emulated.
    private static LandlockSupport CappedWithoutEmulation(int abi) => LandlockSupport.Query(abi, emulate: false);

    [RequireAbiFact(7)]
    public void DefaultRulesetIsPartiallyEnforcedOnAnOlderKernelThatCannotEmulate()
    {
        LandlockRuleset rs = UsrAndHttps();
        using CompiledRuleset compiled = RulesetCompiler.Compile(rs, CappedWithoutEmulation(7));

        LandlockEnforcementReport report = compiled.Report;
        Assert.Equal(EnforcementStatus.PartiallyEnforced, report.Status);
        Assert.Equal(["ResolveUnix", "BindUdp", "ConnectSendUdp"], report.Dropped);
        Assert.Equal(LandlockEmulation.None, report.Emulated);
        Assert.Equal(LandlockAbi.V7, report.KernelAbi);
        Assert.Equal(LandlockAccessFs.ResolveUnix, report.DroppedAccessFs);
        Assert.Equal(LandlockAccessNet.BindUdp | LandlockAccessNet.ConnectSendUdp, report.DroppedAccessNet);
        Assert.Contains("ResolveUnix, BindUdp, ConnectSendUdp", report.Describe());
        Assert.NotNull(compiled.Handle);
        Assert.Equal("anon_inode:[landlock-ruleset]", KernelFacts.FdTarget(compiled.Handle!.Fd));
        Assert.True(KernelFacts.NoThreadIsRestricted());
    }

    [RequireAbiFact(7)]
    public void WhatAnOlderKernelLacksIsEmulatedWhenTheRulesetGrantsNoneOfIt()
    {
        LandlockRuleset rs = UsrAndHttps();
        using CompiledRuleset compiled = RulesetCompiler.Compile(rs, Capped(7));

        LandlockEnforcementReport report = compiled.Report;
        Assert.Equal(EnforcementStatus.FullyEnforced, report.Status);
        Assert.Empty(report.Dropped);
        Assert.Equal(LandlockEmulation.UnixSockets | LandlockEmulation.UdpSockets | LandlockEmulation.MemfdExecute | LandlockEmulation.IoUring, report.Emulated);
        Assert.Equal(LandlockAccessFs.ResolveUnix, report.EmulatedAccessFs);
        Assert.Equal(LandlockAccessNet.BindUdp | LandlockAccessNet.ConnectSendUdp, report.EmulatedAccessNet);
        Assert.Equal(LandlockAccessFs.None, report.EnforcedAccessFs & LandlockAccessFs.ResolveUnix);
        Assert.Contains("seccomp", report.Describe());
        Assert.Contains("no UNIX sockets", report.Describe());
    }

    [RequireAbiFact(7)]
    public void AClassTheRulesetGrantsPartOfIsLeftToLandlockAndDropped()
    {
        var rs = new LandlockRuleset();
        rs.AddPathRule("/run", LandlockAccessFs.ResolveUnix);
        rs.AddNetRule(53, LandlockAccessNet.ConnectSendUdp);
        using CompiledRuleset compiled = RulesetCompiler.Compile(rs, Capped(7));
        Assert.Equal(EnforcementStatus.PartiallyEnforced, compiled.Report.Status);
        Assert.Equal(["ResolveUnix", "BindUdp", "ConnectSendUdp"], compiled.Report.Dropped);
        Assert.Equal(LandlockEmulation.MemfdExecute, compiled.Report.Emulated);
        Assert.Contains("Otherwise a seccomp filter closes", compiled.Report.Describe());
    }

    [RequireAbiFact(7)]
    public void UdpIsEmulatedOnlyWhenTheRulesetHandlesBothOfItsRights()
    {
        var sendOnly = new LandlockRuleset(handledAccessNet: LandlockAccessNet.ConnectTcp | LandlockAccessNet.ConnectSendUdp);
        using CompiledRuleset compiled = RulesetCompiler.Compile(sendOnly, Capped(7));
        // Closing UDP sockets would also forbid binding one, which this ruleset leaves free.
        Assert.False(compiled.Report.Emulated.HasFlag(LandlockEmulation.UdpSockets));
        Assert.Contains("ConnectSendUdp", compiled.Report.Dropped);
    }

    [RequireAbiFact(7)]
    public void OnlyWhatTheKernelLacksIsEmulated()
    {
        using CompiledRuleset v3 = RulesetCompiler.Compile(new LandlockRuleset(LandlockAbi.V3), Capped(3));
        Assert.Equal(LandlockEmulation.MemfdExecute, v3.Report.Emulated);
        // Without Execute handled, memfds are none of the ruleset's business.
        var noExecute = new LandlockRuleset(LandlockAbi.V7, handledAccessFs: LandlockAccessFs.WriteFile);
        using CompiledRuleset compiled = RulesetCompiler.Compile(noExecute, Capped(7));
        Assert.Equal(LandlockEmulation.None, compiled.Report.Emulated);
    }

    [RequireAbiFact(7)]
    public void EmulationNeverStandsInForLandlock()
    {
        // Only UDP handled, on a kernel without it: the kernel enforces nothing, so neither does the filter.
        var udp = new LandlockRuleset(handledAccessFs: LandlockAccessFs.None, handledAccessNet: LandlockAccessNet.BindUdp | LandlockAccessNet.ConnectSendUdp, scope: LandlockScope.None);
        using CompiledRuleset compiled = RulesetCompiler.Compile(udp, Capped(7));
        Assert.Equal(EnforcementStatus.NotEnforced, compiled.Report.Status);
        Assert.Equal(LandlockEmulation.None, compiled.Report.Emulated);
    }

    [Fact]
    public void DefaultRulesetOnThisKernelReportsExactlyWhatItLacks()
    {
        using CompiledRuleset compiled = RulesetCompiler.Compile(new LandlockRuleset());
        LandlockEnforcementReport report = compiled.Report;
        AbiFeatures kernel = AbiFeatures.Of(KernelFacts.Support.EffectiveAbi!.Value);
        AbiFeatures newest = AbiFeatures.Of(AbiFeatures.Newest);
        Assert.Equal(newest.AccessFs & ~kernel.AccessFs, report.DroppedAccessFs | report.EmulatedAccessFs);
        Assert.Equal(newest.AccessNet & ~kernel.AccessNet, report.DroppedAccessNet | report.EmulatedAccessNet);
        Assert.Equal(report.Dropped.Count == 0 ? EnforcementStatus.FullyEnforced : EnforcementStatus.PartiallyEnforced, report.Status);
    }

    [RequireAbiFact(7)]
    public void HardRequirementRefusesWhatTheKernelLacksAndCannotBeEmulated()
    {
        var rs = new LandlockRuleset(compatibilityLevel: CompatibilityLevel.HardRequirement, name: "strict");
        var e = Assert.Throws<LandlockCompatibilityException>(() => RulesetCompiler.Compile(rs, CappedWithoutEmulation(7)));
        Assert.Equal("CompatibilityRequirementNotMet", e.ErrorId);
        Assert.Equal(EnforcementStatus.PartiallyEnforced, e.Report.Status);
        Assert.Contains("'strict'", e.Message);
        Assert.Contains("ResolveUnix", e.Message);
        Assert.Contains("older ABI", e.Message);
        Assert.Equal(LandlockRemedy.ChooseAbi, e.Remedy);
        Assert.Contains("New-LandlockRuleset -Abi", ErrorHelper.InPowerShellTerms(e).Message);

        rs.AddNetRule(53, LandlockAccessNet.ConnectSendUdp);
        e = Assert.Throws<LandlockCompatibilityException>(() => RulesetCompiler.Compile(rs, Capped(7)));
        Assert.Contains("BindUdp, ConnectSendUdp", e.Message);
        Assert.DoesNotContain("ResolveUnix", e.Message);
    }

    [RequireAbiFact(7)]
    public void HardRequirementCountsAnEmulatedClassAsEnforced()
    {
        var rs = new LandlockRuleset(compatibilityLevel: CompatibilityLevel.HardRequirement);
        using CompiledRuleset compiled = RulesetCompiler.Compile(rs, Capped(7));
        Assert.Equal(EnforcementStatus.FullyEnforced, compiled.Report.Status);
        Assert.True(compiled.Report.Emulated.HasFlag(LandlockEmulation.UnixSockets));
    }

    [RequireAbiFact(3)]
    public void APinnedAbiTheKernelHasIsFullyEnforced()
    {
        var rs = new LandlockRuleset(LandlockAbi.V3, compatibilityLevel: CompatibilityLevel.HardRequirement);
        rs.AddPathRule("/usr", LandlockAccessFs.ReadExecute);
        using CompiledRuleset compiled = RulesetCompiler.Compile(rs, Capped(3));
        Assert.Equal(EnforcementStatus.FullyEnforced, compiled.Report.Status);
        Assert.Empty(compiled.Report.Dropped);
    }

    [RequireAbiFact(3)]
    public void CappedAtV3NetworkIsNotHandledAndTheReportSaysSo()
    {
        var rs = new LandlockRuleset();
        rs.AddNetRule(80, LandlockAccessNet.ConnectTcp);
        using CompiledRuleset compiled = RulesetCompiler.Compile(rs, Capped(3));
        Assert.Equal(EnforcementStatus.PartiallyEnforced, compiled.Report.Status);
        Assert.Equal(LandlockAccessNet.None, compiled.Report.EnforcedAccessNet);
        Assert.Equal(LandlockScope.None, compiled.Report.EnforcedScope);
        Assert.Contains("BindTcp", compiled.Report.Dropped);
        Assert.Contains("Signal", compiled.Report.Dropped);
        Assert.Contains("ConnectTcp on port 80", compiled.Report.SkippedRules);
    }

    [RequireAbiFact(4)]
    public void OnlyNetworkOnAKernelWithoutNetworkIsNotEnforced()
    {
        var rs = new LandlockRuleset(handledAccessFs: LandlockAccessFs.None, scope: LandlockScope.None);
        using CompiledRuleset compiled = RulesetCompiler.Compile(rs, Capped(3));
        Assert.Equal(EnforcementStatus.NotEnforced, compiled.Report.Status);
        // The cap decides (a launch is refused without -AllowUnconfined); the kernel, which has network rights, still gets them.
        Assert.NotNull(compiled.Handle);
    }

    [Fact]
    public void NoLandlockMeansNotEnforcedOrRefused()
    {
        using (CompiledRuleset compiled = RulesetCompiler.Compile(new LandlockRuleset(), Capped(0)))
        {
            Assert.Equal(EnforcementStatus.NotEnforced, compiled.Report.Status);
            Assert.NotNull(compiled.Handle);
            Assert.Contains(LandlockSupport.AbiCapVariable, compiled.Report.Describe());
            Assert.Contains("the kernel is still handed", compiled.Report.Describe());
        }
        var strict = new LandlockRuleset(compatibilityLevel: CompatibilityLevel.HardRequirement);
        Assert.Throws<LandlockCompatibilityException>(() => RulesetCompiler.Compile(strict, Capped(0)));
    }

    [RequireAbiFact(7)]
    public void LogFlagsAreDroppedBeforeAbi7()
    {
        var rs = new LandlockRuleset(logFlags: LandlockRestrictFlags.LogNewExecOn);
        using (CompiledRuleset old = RulesetCompiler.Compile(rs, Capped(6)))
        {
            Assert.Contains("LogNewExecOn", old.Report.Dropped);
            // Reported as dropped under the cap; this kernel knows the flag, so it is still passed.
            Assert.Equal(LandlockRestrictFlags.LogNewExecOn, old.RestrictFlags);
        }
        using CompiledRuleset current = RulesetCompiler.Compile(rs, Capped(7));
        Assert.Equal(LandlockRestrictFlags.LogNewExecOn, current.RestrictFlags);
        Assert.Empty(current.Report.Dropped);
    }

    [RequireAbiFact(4)]
    public void ACapLowersTheReportButNeverWhatTheKernelIsHanded()
    {
        var rs = new LandlockRuleset(LandlockAbi.V7);
        rs.AddPathRule("/usr", LandlockAccessFs.ReadExecute);
        rs.AddNetRule(443, LandlockAccessNet.ConnectTcp);
        using CompiledRuleset capped = RulesetCompiler.Compile(rs, Capped(2));
        Assert.Equal(EnforcementStatus.PartiallyEnforced, capped.Report.Status);
        Assert.Contains("Truncate", capped.Report.Dropped);
        Assert.Contains("ConnectTcp", capped.Report.Dropped);
        // Reported as skipped, as an ABI 2 kernel would skip it; this kernel still gets it (see AbiCapTests).
        Assert.Equal(["ConnectTcp on port 443"], capped.Report.SkippedRules);
        // The filter closes at least what the uncapped launch's filter closes.
        using CompiledRuleset uncapped = RulesetCompiler.Compile(rs, Capped(KernelFacts.Support.KernelAbi));
        Assert.Equal(uncapped.Filter, capped.Filter & uncapped.Filter);
        Assert.Equal(uncapped.RestrictFlags, capped.RestrictFlags);
    }

    [Theory]
    [InlineData(1, 8)]
    [InlineData(3, 8)]
    [InlineData(4, 16)]
    [InlineData(5, 16)]
    [InlineData(6, 24)]
    [InlineData(9, 24)]
    [InlineData(10, 48)]
    [InlineData(11, 48)]
    public void TheRulesetAttrSizeFollowsTheAbi(int abi, int size)
    {
        Assert.Equal(size, LandlockPS.Core.Native.LandlockRulesetAttr.SizeFor(abi));
        Assert.Equal(48, System.Runtime.CompilerServices.Unsafe.SizeOf<LandlockPS.Core.Native.LandlockRulesetAttr>());
    }

    [RequireAbiFact(1, Below = 10)]
    public void QuietSettingsAreDroppedAndReportedOnAKernelBeforeAbi10()
    {
        var rs = new LandlockRuleset(LandlockAbi.V10, quietAccessFs: LandlockAccessFs.ReadFile, quietAccessNet: LandlockAccessNet.ConnectTcp);
        rs.AddPathRule("/usr", LandlockAccessFs.ReadExecute, quiet: true);
        rs.AddNetRule(443, LandlockAccessNet.ConnectTcp, quiet: true);
        // The kernel refuses a quiet flag it does not know, and a non-zero field past its struct: neither reaches it.
        using CompiledRuleset compiled = RulesetCompiler.Compile(rs);
        Assert.NotNull(compiled.Handle);
        Assert.True(compiled.Report.RequestedQuiet);
        Assert.False(compiled.Report.EnforcedQuiet);
        Assert.Contains("quiet settings", compiled.Report.Dropped);
        Assert.Equal(EnforcementStatus.PartiallyEnforced, compiled.Report.Status);
    }

    [RequireAbiFact(6, Below = 10)]
    public unsafe void AKernelBeforeAbi10RefusesQuietFieldsPastItsStruct()
    {
        // Why the size is chosen per ABI, shown on this kernel: the full struct with a quiet field set is refused.
        var attr = new LandlockPS.Core.Native.LandlockRulesetAttr { HandledAccessFs = (ulong)LandlockAccessFs.ReadFile, QuietAccessFs = (ulong)LandlockAccessFs.ReadFile };
        long fd = LandlockPS.Core.Native.LibC.Syscall(LandlockPS.Core.Native.LibC.SYS_landlock_create_ruleset, (nint)(&attr), 48, 0, 0);
        Assert.Equal(-1, fd);
        Assert.Equal(LandlockPS.Core.Native.Errno.E2BIG, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        attr.QuietAccessFs = 0;
        fd = LandlockPS.Core.Native.LibC.Syscall(LandlockPS.Core.Native.LibC.SYS_landlock_create_ruleset, (nint)(&attr), LandlockPS.Core.Native.LandlockRulesetAttr.SizeFor(KernelFacts.Support.KernelAbi), 0, 0);
        Assert.True(fd >= 0, "the ABI's own size is accepted");
        LandlockPS.Core.Native.LibC.Close((int)fd);
    }

    [Fact]
    public void QuietSettingsNeedAbi10AndHandledRights()
    {
        var e = Assert.Throws<LandlockAccessException>(() => new LandlockRuleset(LandlockAbi.V9, quietAccessFs: LandlockAccessFs.ReadFile));
        Assert.Equal("AccessNotInAbi", e.ErrorId);
        e = Assert.Throws<LandlockAccessException>(() => new LandlockRuleset(LandlockAbi.V10, handledAccessFs: LandlockAccessFs.WriteFile, quietAccessFs: LandlockAccessFs.ReadFile));
        Assert.Equal("AccessNotHandled", e.ErrorId);
        var quietless = new LandlockRuleset(LandlockAbi.V10);
        e = Assert.Throws<LandlockAccessException>(() => quietless.AddPathRule("/usr", LandlockAccessFs.ReadFile, quiet: true));
        Assert.Equal("AccessNotApplicable", e.ErrorId);

        var rs = new LandlockRuleset(LandlockAbi.V10, quietScope: LandlockScope.Signal, quietAccessFs: LandlockAccessFs.ReadFile);
        rs.AddPathRule("/usr", LandlockAccessFs.ReadFile, quiet: true);
        rs.AddPathRule("/usr", LandlockAccessFs.Execute);
        Assert.True(rs.PathRules[0].Quiet, "widening keeps the mark");
        LandlockRuleset copy = rs.Clone();
        Assert.Equal(LandlockScope.Signal, copy.QuietScope);
        Assert.Equal(rs.PathRules, copy.PathRules);
        Assert.EndsWith("(quiet)", copy.PathRules[0].ToString());
    }

    [Fact]
    public void DirectoryOnlyRightsAreMaskedForFiles()
    {
        var rs = new LandlockRuleset();
        // The model accepts this; the kernel would answer EINVAL if ReadDir reached it for a file.
        rs.AddPathRule("/etc/hostname", LandlockAccessFs.ReadOnly);
        rs.AddPathRule("/etc/passwd", LandlockAccessFs.ReadDir | LandlockAccessFs.MakeReg);
        using CompiledRuleset compiled = RulesetCompiler.Compile(rs);
        Assert.NotNull(compiled.Handle);
        Assert.Equal(["ReadDir, MakeReg on /etc/passwd"], compiled.Report.SkippedRules);
    }

    [Fact]
    public void AMissingPathNamesThePath()
    {
        var rs = new LandlockRuleset();
        rs.AddPathRule("/usr", LandlockAccessFs.ReadOnly);
        rs.AddPathRule("/no/such/dir-" + Guid.NewGuid(), LandlockAccessFs.ReadOnly);
        var e = Assert.Throws<LandlockRuleException>(() => RulesetCompiler.Compile(rs));
        Assert.Equal("PathNotFound", e.ErrorId);
        Assert.StartsWith("/no/such/dir-", e.Target);
        Assert.Equal(LandlockPS.Core.Native.Errno.ENOENT, e.Errno);
    }

    [Fact]
    public void SymlinksAreFollowedToTheirTarget()
    {
        string dir = Directory.CreateTempSubdirectory("llps-").FullName;
        try
        {
            string link = Path.Combine(dir, "link");
            File.CreateSymbolicLink(link, "/usr");
            var rs = new LandlockRuleset();
            rs.AddPathRule(link, LandlockAccessFs.ReadOnly | LandlockAccessFs.MakeDir);
            using CompiledRuleset compiled = RulesetCompiler.Compile(rs);
            Assert.Empty(compiled.Report.SkippedRules); // a directory: MakeDir kept
            Assert.Equal(RuleTargetKind.Directory, RuleTarget.Probe(link));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RuleTargetsAreProbedLikeTheCompilerOpensThem()
    {
        Assert.Equal(RuleTargetKind.Directory, RuleTarget.Probe("/usr"));
        Assert.Equal(RuleTargetKind.File, RuleTarget.Probe("/etc/passwd"));
        Assert.Equal(RuleTargetKind.File, RuleTarget.Probe("/dev/null"));
        Assert.Equal(RuleTargetKind.Missing, RuleTarget.Probe("/no/such/path"));
        Assert.Equal(RuleTargetKind.Missing, RuleTarget.Probe("/etc/passwd/child"));
    }

    [Fact]
    public void AnUnusableRuleTargetSaysWhyNotThatItExists()
    {
        using var tree = new TempTree();
        string loop = Path.Combine(tree.Root, "loop");
        File.CreateSymbolicLink(loop, "loop");
        Assert.Equal(RuleTargetKind.Inaccessible, RuleTarget.Probe(loop, out string? problem));
        Assert.Equal("resolving it meets too many levels of symbolic links (ELOOP)", problem);
        Assert.Equal(RuleTargetKind.Inaccessible, RuleTarget.Probe(Path.Combine(tree.Root, new string('n', 300)), out problem));
        Assert.Contains("too long (ENAMETOOLONG)", problem);
    }
}

[Collection(SerialCollection.Name)]
public class RulesetCompilerResourceTests
{
    [Fact]
    public void NoDescriptorOutlivesACompileOrAFailedOne()
    {
        int baseline = KernelFacts.OpenFdCount();
        for (int i = 0; i < 50; i++)
        {
            var ok = new LandlockRuleset();
            ok.AddPathRule("/usr", LandlockAccessFs.ReadExecute);
            ok.AddPathRule("/etc/passwd", LandlockAccessFs.ReadFile);
            using (RulesetCompiler.Compile(ok)) { }

            var bad = new LandlockRuleset();
            bad.AddPathRule("/usr", LandlockAccessFs.ReadExecute);
            bad.AddPathRule("/no/such/path", LandlockAccessFs.ReadExecute);
            Assert.Throws<LandlockRuleException>(() => RulesetCompiler.Compile(bad));
        }
        Assert.Equal(baseline, KernelFacts.OpenFdCount());
    }

    [Fact]
    public void CompilingNeverRestrictsTheTestHost()
    {
        for (int i = 0; i < 20; i++)
        {
            using (RulesetCompiler.Compile(new LandlockRuleset())) { }
        }
        Assert.True(KernelFacts.NoThreadIsRestricted());
        Assert.NotEmpty(File.ReadAllText("/etc/passwd"));
    }
}
