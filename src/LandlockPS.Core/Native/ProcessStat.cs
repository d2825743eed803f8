using System;
using System.IO;

namespace LandlockPS.Core.Native;

/// <summary>
/// The fields of /proc/&lt;pid&gt;/stat after the command name (which may hold spaces and parentheses,
/// so it is skipped up to its last ')'): the state first, the start time twentieth.
/// </summary>
internal static class ProcessStat
{
    /// <summary>The fields, or null when the process is gone or its stat cannot be read.</summary>
    internal static string[]? Fields(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int end = stat.LastIndexOf(')');
            return end >= 0 && end + 2 < stat.Length ? stat[(end + 2)..].Split(' ') : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
