using System;
using System.Management.Automation;
using LandlockPS.Core;
using LandlockPS.Core.Errors;

namespace LandlockPS;

/// <summary>Turns module errors into ErrorRecords with stable ids; the category comes from the catalogue (<see cref="LandlockErrors"/>).</summary>
internal static class ErrorHelper
{
    internal static ErrorRecord FromException(LandlockException exception, object? target) =>
        new(InPowerShellTerms(exception), exception.ErrorId, Category(exception.ErrorId, exception.Errno), target);

    // Core names a remedy in its own API; a PowerShell user is told the parameter that sets it.
    internal static LandlockException InPowerShellTerms(LandlockException exception) => exception.Remedy switch
    {
        LandlockRemedy.None => exception,
        LandlockRemedy.AllowUnconfined => exception.WithRemedyText("Pass -AllowUnconfined to run it unconfined anyway."),
        LandlockRemedy.KeepCapabilities => exception.WithRemedyText("Pass -KeepCapabilities to accept that."),
        LandlockRemedy.AllowDependencies => exception.WithRemedyText("Invoke-Sandboxed -AllowDependencies adds rules for all a program needs to start."),
        LandlockRemedy.AllowLeftOutDependencies => exception.WithRemedyText(
            "-AllowDependencies adds no rule for a file it cannot trust; allow one you trust with Add-LandlockPathRule -LiteralPath <file> -Access ReadFile,Execute."),
        LandlockRemedy.ChooseAbi => exception.WithRemedyText("New-LandlockRuleset -Abi chooses a ruleset's ABI; Get-LandlockAbi shows the kernel's."),
        _ => exception,
    };

    /// <summary>A record for a failure the cmdlet layer detects itself; <paramref name="errno"/> refines the category where the catalogue lets it.</summary>
    internal static ErrorRecord Create(string errorId, string message, object? target, int errno = 0) =>
        FromException(new LandlockException(message, errno: errno, errorId: errorId), target);

    /// <summary>A record for another exception (an ArgumentException from a check), under a catalogued id.</summary>
    internal static ErrorRecord Wrap(Exception exception, string errorId, object? target) =>
        new(exception, errorId, Category(errorId), target);

    internal static ErrorCategory Category(string errorId, int errno = 0) =>
        Enum.Parse<ErrorCategory>(LandlockErrors.CategoryOf(errorId, errno).ToString());
}
