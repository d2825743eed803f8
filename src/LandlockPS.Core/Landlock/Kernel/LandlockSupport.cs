using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>What the running kernel can enforce, as this module sees it.</summary>
public sealed class LandlockSupport
{
    /// <summary>
    /// Test-only: an integer here lowers the ABI the module reports and decides with (0 acts as a kernel
    /// without Landlock), so tests see the warnings, refusals and verdicts of an older kernel on a newer
    /// one. It never raises the ABI, and it never loosens a launch: the kernel is still handed everything
    /// of the ruleset it supports (see <see cref="Kernel"/>), so the cap can only make what is reported
    /// and decided stricter.
    /// </summary>
    public const string AbiCapVariable = "LANDLOCKPS_TEST_ABI_CAP";

    /// <summary>Test-only: when set to 1, nothing is emulated (see <see cref="Emulation"/>). Lets benchmarks measure the filter's cost.</summary>
    public const string NoEmulationVariable = "LANDLOCKPS_TEST_NO_EMULATION";

    private static readonly Lazy<string> KernelReleaseText = new(ReadKernelRelease);

    private LandlockSupport(LandlockAvailability status, int kernelAbi, int? abiCap, long errata, string? reason, bool canEmulate)
    {
        Status = status;
        KernelAbi = kernelAbi;
        TestAbiCap = abiCap;
        Errata = LandlockErratum.FromBitmask(errata);
        Reason = reason;
        int effective = Math.Min(Math.Min(kernelAbi, (int)AbiFeatures.Newest), abiCap ?? int.MaxValue);
        if (status == LandlockAvailability.Available && effective >= 1)
        {
            EffectiveAbi = (LandlockAbi)effective;
        }
        else if (status == LandlockAvailability.Available)
        {
            Status = LandlockAvailability.NotImplemented;
            Reason = $"Landlock is hidden from this module by the test setting {AbiCapVariable}={abiCap}.";
        }
        if (EffectiveAbi is { } known && canEmulate) Emulation = Emulatable(known);
        Kernel = abiCap is null ? this : new LandlockSupport(status, kernelAbi, null, errata, reason, canEmulate);
    }

    /// <summary>Available, NotEnabled (disabled at boot) or NotImplemented (not in this kernel).</summary>
    public LandlockAvailability Status { get; }

    /// <summary>The ABI version the kernel reports (0 when Landlock is unavailable). May exceed <see cref="NewestKnownAbi"/>.</summary>
    public int KernelAbi { get; }

    /// <summary>The newest ABI this module knows.</summary>
    public LandlockAbi NewestKnownAbi => AbiFeatures.Newest;

    /// <summary>The ABI the module uses with this kernel: the lower of the kernel's and the module's, after any test cap.</summary>
    public LandlockAbi? EffectiveAbi { get; }

    /// <summary>The test-only ABI cap in force, if any.</summary>
    public int? TestAbiCap { get; }

    /// <summary>
    /// The kernel as it is, without the test cap: what a launch hands the kernel is built from this,
    /// so <see cref="AbiCapVariable"/> changes what is reported and decided, never what is enforced.
    /// </summary>
    internal LandlockSupport Kernel { get; }

    /// <summary>Fixes the kernel reports for its Landlock implementation.</summary>
    public IReadOnlyList<LandlockErratum> Errata { get; }

    /// <summary>Why Landlock is unavailable, and what to do about it; null when available.</summary>
    public string? Reason { get; }

    /// <summary>The kernel release (uname -r).</summary>
    public string KernelRelease => KernelReleaseText.Value;

    /// <summary>The filesystem rights the module uses with this kernel.</summary>
    public LandlockAccessFs SupportedAccessFs => Features?.AccessFs ?? LandlockAccessFs.None;
    /// <summary>The network rights the module uses with this kernel.</summary>
    public LandlockAccessNet SupportedAccessNet => Features?.AccessNet ?? LandlockAccessNet.None;
    /// <summary>The scopes the module uses with this kernel.</summary>
    public LandlockScope SupportedScope => Features?.Scope ?? LandlockScope.None;
    /// <summary>The restrict flags this kernel knows.</summary>
    public LandlockRestrictFlags SupportedRestrictFlags => Features?.RestrictFlags ?? LandlockRestrictFlags.None;

    /// <summary>Whether the kernel takes quiet settings (ABI 10): rights and rules whose denials are not audited.</summary>
    public bool SupportsQuiet => Features?.Quiet ?? false;

    /// <summary>
    /// What LandlockPS closes with a seccomp filter on this kernel, for a ruleset that handles a
    /// class this kernel's Landlock lacks and grants none of it: UNIX sockets before ABI 9, UDP
    /// before ABI 10, executable memfds (no ABI restricts them), and io_uring with either socket class.
    /// None where seccomp filters are unavailable.
    /// </summary>
    public LandlockEmulation Emulation { get; }

    private static LandlockEmulation Emulatable(LandlockAbi abi)
    {
        LandlockEmulation emulation = LandlockEmulation.MemfdExecute;
        if (abi < LandlockAbi.V9) emulation |= LandlockEmulation.UnixSockets | LandlockEmulation.IoUring;
        if (abi < LandlockAbi.V10) emulation |= LandlockEmulation.UdpSockets | LandlockEmulation.IoUring;
        return emulation;
    }

    private AbiFeatures? Features => EffectiveAbi is { } abi ? AbiFeatures.Of(abi) : null;

    /// <summary>Asks the kernel now (two cheap syscalls; nothing is cached, so a test cap applies at once).</summary>
    public static LandlockSupport Query() => Query(ReadAbiCap(), Environment.GetEnvironmentVariable(NoEmulationVariable) != "1");

    /// <summary>Asks the kernel, with an explicit ABI cap instead of the environment's (tests); <paramref name="emulate"/> false acts as a kernel without seccomp.</summary>
    internal static LandlockSupport Query(int? cap, bool emulate = true)
    {
        bool canEmulate = emulate && SeccompSupport.FiltersAvailable;
        long abi = LibC.Syscall(LibC.SYS_landlock_create_ruleset, 0, 0, (nint)LandlockConstants.CreateRulesetVersion, 0);
        if (abi < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            (LandlockAvailability status, string reason) = Unavailable(errno);
            return new LandlockSupport(status, 0, cap, 0, reason, canEmulate);
        }

        // Kernels before the errata query answer EINVAL: they simply report none.
        long errata = LibC.Syscall(LibC.SYS_landlock_create_ruleset, 0, 0, (nint)LandlockConstants.CreateRulesetErrata, 0);
        return new LandlockSupport(LandlockAvailability.Available, (int)abi, cap, Math.Max(errata, 0), null, canEmulate);
    }

    /// <summary>Throws <see cref="LandlockUnavailableException"/> unless Landlock is available.</summary>
    public void EnsureAvailable()
    {
        if (Status != LandlockAvailability.Available)
        {
            throw new LandlockUnavailableException(Status, Reason!, Status == LandlockAvailability.NotEnabled ? Native.Errno.EOPNOTSUPP : Native.Errno.ENOSYS);
        }
    }

    internal static (LandlockAvailability, string) Unavailable(int errno) => errno switch
    {
        Native.Errno.EOPNOTSUPP => (LandlockAvailability.NotEnabled,
            "Landlock is built into this kernel but disabled at boot: add \"landlock\" to the lsm= kernel parameter " +
            "(e.g. lsm=landlock,lockdown,yama,integrity,apparmor,bpf in GRUB_CMDLINE_LINUX), then reboot."),
        Native.Errno.ENOSYS => (LandlockAvailability.NotImplemented,
            "This kernel has no Landlock (it needs Linux 5.13 or newer built with CONFIG_SECURITY_LANDLOCK=y). " +
            "Upgrade the kernel, or use a distribution kernel that enables Landlock."),
        _ => (LandlockAvailability.NotImplemented,
            $"The kernel's Landlock version query failed with {Native.Errno.Name(errno)}; Landlock cannot be used here."),
    };

    private static int? ReadAbiCap()
    {
        string? text = Environment.GetEnvironmentVariable(AbiCapVariable);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int cap) ? cap : null;
    }

    private static string ReadKernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return Environment.OSVersion.Version.ToString();
        }
        catch (UnauthorizedAccessException)
        {
            return Environment.OSVersion.Version.ToString();
        }
    }
}
