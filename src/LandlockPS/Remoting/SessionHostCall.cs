using System.Diagnostics;
using System.Management.Automation;
using System.Reflection;

namespace LandlockPS.Remoting;

/// <summary>
/// Tells a call to a session's own host (its runspace pool's) from a command's. The protocol names
/// the two apart, but both reach the one host PowerShell gives the session, on thread pool threads:
/// only the method PowerShell carries the session's calls out in tells them apart.
/// </summary>
internal static class SessionHostCall
{
    private static readonly MethodBase? s_carriesOut = typeof(PSObject).Assembly
        .GetType("System.Management.Automation.Runspaces.Internal.RemoteRunspacePoolInternal")
        ?.GetMethod("HandleRemoteHostCalls", BindingFlags.NonPublic | BindingFlags.Instance);

    /// <summary>Whether PowerShell knows the method: false in a PowerShell that renamed it, where <see cref="IsCurrent"/> is always false.</summary>
    public static bool IsKnown => s_carriesOut is not null;

    /// <summary>Whether the host call on this thread is the session's own.</summary>
    public static bool IsCurrent()
    {
        if (s_carriesOut is not { } carriesOut) return false;
        foreach (StackFrame frame in new StackTrace(false).GetFrames())
        {
            // Compared from the known method's side: a frame may be a dynamic method (PowerShell calls
            // the host by reflection, through emitted stubs), which has no metadata token to compare.
            if (frame.GetMethod() is { } method && carriesOut.HasSameMetadataDefinitionAs(method)) return true;
        }
        return false;
    }
}
