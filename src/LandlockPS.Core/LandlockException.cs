using System;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core;

/// <summary>
/// Every error the module raises. <see cref="ErrorId"/> is stable (PowerShell turns it into the
/// FullyQualifiedErrorId); <see cref="Syscall"/> and <see cref="Errno"/> say what the kernel answered.
/// </summary>
public class LandlockException : Exception
{
    /// <summary>An error with a message a user can act on, the failed system call and errno if any, and a stable id.</summary>
    public LandlockException(string message, string? syscall = null, int errno = 0, string errorId = "LandlockError", Exception? innerException = null)
        : base(message, innerException)
    {
        Syscall = syscall;
        Errno = errno;
        ErrorId = errorId;
    }

    /// <summary>A stable PascalCase identifier of the kind of failure.</summary>
    public string ErrorId { get; }

    /// <summary>The system call that failed, if one did.</summary>
    public string? Syscall { get; }

    /// <summary>The errno the system call returned, or 0.</summary>
    public int Errno { get; }
}

/// <summary>The kernel cannot enforce Landlock at all (not built in, or not enabled at boot).</summary>
public sealed class LandlockUnavailableException : LandlockException
{
    /// <summary>Landlock is unavailable for <paramref name="availability"/>'s reason.</summary>
    public LandlockUnavailableException(LandlockAvailability availability, string message, int errno)
        : base(message, "landlock_create_ruleset", errno, availability == LandlockAvailability.NotEnabled ? "LandlockNotEnabled" : "LandlockNotSupported")
    {
        Availability = availability;
    }

    /// <summary>Why: not built in, or not enabled at boot.</summary>
    public LandlockAvailability Availability { get; }
}

/// <summary>A requested access right does not fit the ruleset or the file it is meant for.</summary>
public sealed class LandlockAccessException : LandlockException
{
    /// <summary>A right that does not fit, under error id <paramref name="errorId"/>.</summary>
    public LandlockAccessException(string errorId, string message) : base(message, errorId: errorId) { }
}

/// <summary>Building one rule of a ruleset failed; names the path or port.</summary>
public sealed class LandlockRuleException : LandlockException
{
    /// <summary>Building the rule for <paramref name="target"/> failed.</summary>
    public LandlockRuleException(string target, string message, string syscall, int errno, string errorId)
        : base(message, syscall, errno, errorId)
    {
        Target = target;
    }

    /// <summary>The path or port of the rule that failed.</summary>
    public string Target { get; }
}

/// <summary>A HardRequirement ruleset asks for more than the kernel can enforce.</summary>
public sealed class LandlockCompatibilityException : LandlockException
{
    /// <summary>What a HardRequirement ruleset lacks on this kernel.</summary>
    public LandlockCompatibilityException(LandlockEnforcementReport report, string message)
        : base(message, errorId: "CompatibilityRequirementNotMet")
    {
        Report = report;
    }

    /// <summary>What would have been enforced and what would have been dropped.</summary>
    public LandlockEnforcementReport Report { get; }
}
