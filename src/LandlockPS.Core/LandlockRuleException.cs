namespace LandlockPS.Core;

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
