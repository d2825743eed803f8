using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// The control sockets of this very process, which anyone who connects to them can use to run code
/// in it, unconfined: .NET's diagnostics channel (it loads startup hooks and writes dumps where it
/// is told) and, in pwsh, PowerShell's host pipe (Enter-PSHostProcess). Both live in the temp folder
/// under this process's id. Before a launch whose sandbox could connect to them, they are unlinked:
/// a listening socket without a name can never be reached again, and this process keeps working
/// (only debuggers and Enter-PSHostProcess lose their way in).
/// </summary>
internal static class CallerSockets
{
    private static readonly object Gate = new();
    // Where they were found, so later launches remove them again by name: PowerShell makes its pipe
    // anew under the same name when a connection made before ends.
    private static List<(string Folder, string Name)>? _found;

    /// <summary>Unlinks this process's control sockets if <paramref name="ruleset"/>, as <paramref name="report"/> enforces it, lets a sandbox connect to them.</summary>
    internal static void CloseIfReachable(LandlockRuleset ruleset, LandlockEnforcementReport report)
    {
        if ((report.Emulated & LandlockEmulation.UnixSockets) != 0) return; // no UNIX socket at all
        bool everywhere = (report.DroppedAccessFs & LandlockAccessFs.ResolveUnix) != 0;
        RuleReach? reach = everywhere ? null : new RuleReach(ruleset, LandlockAccessFs.ResolveUnix);
        if (reach is { ReachesNothing: true }) return;
        lock (Gate)
        {
            _found ??= Find();
            uint me = ProcessApi.GetEuid();
            foreach ((string folder, string name) in _found)
            {
                if (reach is not null && !reach.Reach(Path.Combine(folder, name))) continue;
                try
                {
                    using SafeDirectoryHandle directory = SafeDirectoryHandle.Open(folder);
                    directory.TryRemoveSocket(name, me);
                }
                catch (LandlockException)
                {
                    // The temp folder is gone or closed to us: nothing of ours can be reached there.
                }
            }
        }
    }

    // Each temp folder this process's sockets may be in (.NET takes TMPDIR as it was at start, or /tmp).
    private static List<(string Folder, string Name)> Find()
    {
        var found = new List<(string, string)>();
        foreach (string folder in new[] { Path.GetTempPath(), "/tmp/" }.Select(Path.TrimEndingDirectorySeparator).Distinct(StringComparer.Ordinal))
        {
            try
            {
                using SafeDirectoryHandle directory = SafeDirectoryHandle.Open(folder);
                // Listed through the folder held open; only names carrying this process's id are kept.
                found.AddRange(Directory.EnumerateFileSystemEntries($"/proc/self/fd/{directory.Fd}")
                    .Select(Path.GetFileName).OfType<string>().Where(IsOwn).Select(name => (folder, name)));
            }
            catch (Exception e) when (e is LandlockException or IOException or UnauthorizedAccessException)
            {
                // A folder that cannot be opened or listed holds nothing we can name.
            }
        }
        return found;
    }

    /// <summary>dotnet-diagnostic-{pid}-{key}-socket, or CoreFxPipe_PSHost.{start}.{pid}.{domain}.{program}.</summary>
    internal static bool IsOwn(string name)
    {
        string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (name.StartsWith($"dotnet-diagnostic-{pid}-", StringComparison.Ordinal) && name.EndsWith("-socket", StringComparison.Ordinal)) return true;
        string[] parts = name.Split('.');
        return parts.Length >= 4 && parts[0] == "CoreFxPipe_PSHost" && parts[2] == pid;
    }
}
