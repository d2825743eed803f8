using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// The kernel ABI range a test needs (go-landlock's RequireABI): outside it the test is skipped, naming
/// the kernel's ABI, rather than failing on a kernel that simply has less (or more) Landlock.
/// </summary>
internal static class RequireAbi
{
    /// <summary>Why a test needing ABI <paramref name="minimum"/> (and below <paramref name="below"/>, when non-zero) cannot run here; null when it can.</summary>
    internal static string? SkipReason(int minimum, int below)
    {
        int kernel = KernelFacts.Support.KernelAbi;
        if (kernel < minimum) return $"needs Landlock ABI {minimum} or newer; this kernel has {kernel}";
        if (below != 0 && kernel >= below) return $"needs a kernel before Landlock ABI {below}; this kernel has {kernel}";
        return null;
    }
}

/// <summary>A fact that runs only where the kernel's Landlock ABI is at least the given one (and below <see cref="Below"/>, when set).</summary>
public sealed class RequireAbiFactAttribute(int minimum) : FactAttribute
{
    public int Minimum { get; } = minimum;

    /// <summary>An ABI the kernel must not have reached (for what only an older kernel shows); 0: no bound.</summary>
    public int Below { get; set; }

    public override string? Skip
    {
        get => base.Skip ?? RequireAbi.SkipReason(Minimum, Below);
        set => base.Skip = value;
    }
}

/// <summary>The <see cref="RequireAbiFactAttribute"/> of theories.</summary>
public sealed class RequireAbiTheoryAttribute(int minimum) : TheoryAttribute
{
    public int Minimum { get; } = minimum;

    /// <summary>An ABI the kernel must not have reached; 0: no bound.</summary>
    public int Below { get; set; }

    public override string? Skip
    {
        get => base.Skip ?? RequireAbi.SkipReason(Minimum, Below);
        set => base.Skip = value;
    }
}
