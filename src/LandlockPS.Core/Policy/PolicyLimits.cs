namespace LandlockPS.Core.Policy;

/// <summary>Bounds on what a policy file may ask of the importer, so a hostile file cannot exhaust the caller.</summary>
internal static class PolicyLimits
{
    /// <summary>Policies are a few kilobytes; a megabyte leaves ample room.</summary>
    public const long MaxFileBytes = 1 << 20;

    /// <summary>Policies nest three levels; deeper input is refused by both parsers.</summary>
    public const int MaxDepth = 32;

    /// <summary>Variables multiply paths (each ${x} in a path is a cartesian product); this caps the total.</summary>
    public const int MaxExpandedPaths = 10_000;

    /// <summary>The kernel's PATH_MAX: an expansion past it names no file.</summary>
    public const int MaxPathLength = 4096;

    /// <summary>
    /// A parser's own words for a limit we set name its configuration knob ("change MaxDepth"), which
    /// means nothing to the author of a policy: say what is wrong with the file instead.
    /// </summary>
    public static string Explain(string parserMessage) =>
        parserMessage.Contains("maximum", System.StringComparison.OrdinalIgnoreCase) && parserMessage.Contains("depth", System.StringComparison.OrdinalIgnoreCase)
            ? $"it nests deeper than {MaxDepth} levels; a policy nests three."
            // System.Text.Json's words for a file cut short ("Expected depth to be zero...").
            : parserMessage.Contains("open JSON object or array", System.StringComparison.Ordinal)
                ? "it ends before every object and array it opens is closed: a } or ] is missing."
                : parserMessage;
}
