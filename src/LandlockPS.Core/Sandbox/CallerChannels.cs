using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// The control channels of this very process, which anyone who reaches them can use to run code in
/// it, unconfined: .NET's diagnostics socket (it loads startup hooks and writes dumps where it is
/// told), .NET's debugger FIFOs (opened like any file: a sandbox that may read and write the temp
/// folder could attach as a debugger) and, in pwsh, PowerShell's host pipe (Enter-PSHostProcess).
/// All live in the temp folder under this process's id. They are unlinked before the first launch, whatever its ruleset: a
/// listening socket without a name can never be reached again, and no sandbox has run yet that could
/// have given it another name (a hard link, a rename within a temp folder it may write). This
/// process keeps working; only debuggers and Enter-PSHostProcess lose their way in.
/// </summary>
internal static class CallerChannels
{
    private static readonly object Gate = new();
    // Where they were found, so later launches remove them again by name: PowerShell makes its pipe
    // anew under the same name when a connection made before ends.
    private static List<(string Folder, string Name)>? _found;

    /// <summary>Unlinks this process's control channels: all of them the first time, those made anew since then later.</summary>
    internal static void Close()
    {
        lock (Gate)
        {
            _found ??= Find();
            uint me = ProcessApi.GetEuid();
            // Each folder opened once a launch, not once a name: this runs before every launch.
            foreach (IGrouping<string, (string Folder, string Name)> folder in _found.GroupBy(f => f.Folder, StringComparer.Ordinal))
            {
                try
                {
                    using SafeDirectoryHandle directory = SafeDirectoryHandle.Open(folder.Key);
                    foreach ((_, string name) in folder) directory.TryRemoveChannel(name, me);
                }
                catch (LandlockException)
                {
                    // The temp folder is gone or closed to us: nothing of ours can be reached there.
                }
            }
        }
    }

    // Each temp folder this process's sockets may be in: TMPDIR as this process started with it (the
    // runtime and PowerShell made them then), as it is now, and /tmp.
    private static List<(string Folder, string Name)> Find()
    {
        var found = new List<(string, string)>();
        string[] folders = [.. new[] { StartingTempFolder(), Path.GetTempPath(), "/tmp/" }.OfType<string>()
            .Select(Path.TrimEndingDirectorySeparator).Distinct(StringComparer.Ordinal)];
        foreach (string folder in folders)
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

    // TMPDIR in the environment this process started with (/proc/self/environ), if set and absolute.
    private static string? StartingTempFolder()
    {
        try
        {
            foreach (string entry in File.ReadAllText("/proc/self/environ").Split('\0'))
            {
                if (entry.StartsWith("TMPDIR=/", StringComparison.Ordinal)) return entry["TMPDIR=".Length..];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc of this process: the current TMPDIR and /tmp are looked in.
        }
        return null;
    }

    /// <summary>dotnet-diagnostic-{pid}-{key}-socket, clr-debug-pipe-{pid}-{key}-in or -out, or CoreFxPipe_PSHost.{start}.{pid}.{domain}.{program}.</summary>
    internal static bool IsOwn(string name)
    {
        string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (name.StartsWith($"dotnet-diagnostic-{pid}-", StringComparison.Ordinal) && name.EndsWith("-socket", StringComparison.Ordinal)) return true;
        if (name.StartsWith($"clr-debug-pipe-{pid}-", StringComparison.Ordinal) && (name.EndsWith("-in", StringComparison.Ordinal) || name.EndsWith("-out", StringComparison.Ordinal))) return true;
        string[] parts = name.Split('.');
        return parts.Length >= 4 && parts[0] == "CoreFxPipe_PSHost" && parts[2] == pid;
    }
}
