namespace LandlockPS.Core.Errors;

/// <summary>
/// The kind of failure an error id names. The names are those of PowerShell's ErrorCategory, so a
/// PowerShell host maps them by name; any other .NET program can use them as they are.
/// </summary>
public enum LandlockErrorCategory
{
    /// <summary>No better category applies.</summary>
    NotSpecified,
    /// <summary>A value given to the call is wrong.</summary>
    InvalidArgument,
    /// <summary>Data read (a policy file, a child's message) does not mean anything valid.</summary>
    InvalidData,
    /// <summary>The call cannot be made in the current state.</summary>
    InvalidOperation,
    /// <summary>A file, folder or program does not exist.</summary>
    ObjectNotFound,
    /// <summary>The kernel or the caller's rights refuse it.</summary>
    PermissionDenied,
    /// <summary>Going on would run something less confined than asked.</summary>
    SecurityError,
    /// <summary>A size or count limit was reached.</summary>
    LimitsExceeded,
    /// <summary>The kernel lacks what is needed.</summary>
    NotImplemented,
    /// <summary>Text could not be parsed.</summary>
    ParserError,
    /// <summary>A peer broke the protocol.</summary>
    ProtocolError,
    /// <summary>Memory or another resource ran out.</summary>
    ResourceUnavailable,
    /// <summary>Something took longer than allowed.</summary>
    OperationTimeout,
    /// <summary>What would be created exists already.</summary>
    ResourceExists,
    /// <summary>Writing failed.</summary>
    WriteError,
}
