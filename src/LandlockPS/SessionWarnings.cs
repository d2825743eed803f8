using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace LandlockPS;

/// <summary>
/// Warnings to read once, not on every call (a ruleset newer than the kernel, rights an export
/// cannot write): each distinct text is shown once per caller session (runspace). While warnings
/// are silenced (-WarningAction SilentlyContinue, $WarningPreference) it is still written, for
/// -WarningVariable, but not counted as shown; where warnings stop the command (Stop, Inquire) it
/// is written every time. Results and statuses keep reporting it every time.
/// </summary>
internal static class SessionWarnings
{
    private static readonly ConditionalWeakTable<Runspace, HashSet<string>> Shown = new();

    internal static void WriteOnce(PSCmdlet cmdlet, string message)
    {
        if (Runspace.DefaultRunspace is { } session && Preference(cmdlet) is ActionPreference.Continue)
        {
            HashSet<string> shown = Shown.GetOrCreateValue(session);
            lock (shown)
            {
                if (!shown.Add(message)) return;
            }
        }
        cmdlet.WriteWarning(message);
    }

    /// <summary>Whether <see cref="WriteOnce"/> would leave <paramref name="message"/> out now: finding out whether it applies can be skipped.</summary>
    internal static bool WouldSkip(PSCmdlet cmdlet, string message)
    {
        if (Runspace.DefaultRunspace is not { } session || Preference(cmdlet) is not ActionPreference.Continue) return false;
        if (!Shown.TryGetValue(session, out HashSet<string>? shown)) return false;
        lock (shown) return shown.Contains(message);
    }

    /// <summary>The warning preference <paramref name="cmdlet"/> runs under: its -WarningAction, else $WarningPreference.</summary>
    internal static object? Preference(PSCmdlet cmdlet) =>
        cmdlet.MyInvocation.BoundParameters.TryGetValue("WarningAction", out object? bound) ? bound : cmdlet.GetVariableValue("WarningPreference");
}
