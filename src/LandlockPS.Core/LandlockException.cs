using System;

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
