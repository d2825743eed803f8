using System;
using LandlockPS.Core.Errors;

namespace LandlockPS.Core;

/// <summary>
/// Every error the module raises. <see cref="ErrorId"/> is stable (PowerShell turns it into the
/// FullyQualifiedErrorId); <see cref="Syscall"/> and <see cref="Errno"/> say what the kernel answered.
/// </summary>
public class LandlockException : Exception
{
    private string? _remedyText;

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

    /// <summary>A setting that would get past the error, as data; <see cref="LandlockRemedy.None"/> when the message says all.</summary>
    public LandlockRemedy Remedy { get; init; }

    /// <summary>What went wrong, without the sentence that names the <see cref="Remedy"/>.</summary>
    public string Reason => base.Message;

    /// <summary>What went wrong and, with a <see cref="Remedy"/>, a sentence that names it.</summary>
    public override string Message => Remedy == LandlockRemedy.None ? Reason : $"{Reason} {_remedyText ?? Describe(Remedy)}";

    /// <summary>
    /// This error with its <see cref="Remedy"/> named in a front end's terms (a command-line option, say)
    /// instead of this library's: a copy of the same type, id and data.
    /// </summary>
    public LandlockException WithRemedyText(string text)
    {
        var copy = (LandlockException)MemberwiseClone();
        copy._remedyText = text;
        return copy;
    }

    private static string Describe(LandlockRemedy remedy) => remedy switch
    {
        LandlockRemedy.AllowUnconfined => "Set SandboxStartInfo.AllowUnconfined to start it unconfined anyway.",
        LandlockRemedy.KeepCapabilities => "Set SandboxStartInfo.KeepCapabilities to accept that.",
        LandlockRemedy.AllowDependencies => "ProgramDependencies.Resolve lists every file a program needs to start, with the access each needs.",
        LandlockRemedy.AllowLeftOutDependencies =>
            "ProgramDependencies leaves out what it cannot trust (its LeftOut says why); LandlockRuleset.AddPathRule allows a file you trust.",
        LandlockRemedy.ChooseAbi => "A ruleset's ABI is chosen when it is made (LandlockRuleset's abi); LandlockSupport.Query() tells the kernel's.",
        _ => string.Empty,
    };
}
