namespace LandlockPS.Core;

/// <summary>A requested access right does not fit the ruleset or the file it is meant for.</summary>
public sealed class LandlockAccessException : LandlockException
{
    /// <summary>A right that does not fit, under error id <paramref name="errorId"/>.</summary>
    public LandlockAccessException(string errorId, string message) : base(message, errorId: errorId) { }
}
