using System.Text.RegularExpressions;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// Entries of another process's /proc folder that the kernel opens only for a process allowed to
/// inspect it as a debugger would (its environment, memory, open files, working folder...), as
/// measured on Linux 6.18 (stack, syscall, io and personality open, and fail only when read). Landlock
/// lets a sandboxed process inspect only processes of its own sandbox, whatever its rules: these are
/// denied for any process there is now. /proc/self and /proc/thread-self name the sandboxed process itself.
/// </summary>
internal static partial class TracedProcessEntries
{
    internal const string Reason =
        "Landlock lets a sandboxed process inspect only processes of its own sandbox: another process's " +
        "environment, memory, open files, working folder and program need the access a debugger has, whatever the rules. " +
        "Through /proc/self, the sandboxed process reads its own.";

    [GeneratedRegex(@"^/proc/[0-9]+(?:/task/[0-9]+)?/(?:(?:environ|auxv|mem|maps|smaps|smaps_rollup|numa_maps|pagemap|timers|fdinfo|map_files|cwd|root|exe)(?:/|$)|(?:fd|ns)/.)", RegexOptions.CultureInvariant)]
    private static partial Regex Guarded();

    /// <summary>
    /// Whether <paramref name="fullPath"/>, as given (before links are followed: /proc/self stays the
    /// sandboxed process), is such an entry. "." and ".." are taken by their names, which in /proc
    /// is where the kernel goes: /proc/self/.. is /proc.
    /// </summary>
    internal static bool Guards(string fullPath) => Guarded().IsMatch(Observe.TraceePaths.Normalize(fullPath));
}
