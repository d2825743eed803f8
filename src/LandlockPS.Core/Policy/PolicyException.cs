namespace LandlockPS.Core.Policy;

/// <summary>
/// A policy file cannot be read or does not mean a valid ruleset. Names the file and, where the
/// parser has it, the line and column; the message says what was expected.
/// </summary>
public sealed class PolicyException : LandlockException
{
    /// <summary>A policy error with its id, file, position and message.</summary>
    public PolicyException(string errorId, string file, PolicyLocation? location, string message, System.Exception? innerException = null)
        : base($"{new PolicyOrigin(file, location)}: {message}", errorId: errorId, innerException: innerException)
    {
        File = file;
        Location = location;
    }

    /// <summary>A policy error at <paramref name="origin"/>.</summary>
    public PolicyException(string errorId, PolicyOrigin origin, string message)
        : this(errorId, origin.File, origin.Location, message)
    {
    }

    /// <summary>The policy file.</summary>
    public string File { get; }

    /// <summary>Where in the file, if known.</summary>
    public PolicyLocation? Location { get; }
}
