using System.Collections.Generic;
using System.Management.Automation.Host;
using System.Threading;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;
using LandlockPS.Remoting;

namespace LandlockPS;

/// <summary>
/// What the ruleset of a session started with New-LandlockSession -ExplainDenials denied: its observer
/// watches the session's child pwsh (and all it starts) for the session's whole life. The denials so
/// far can be read at any time (Get-LandlockSessionDenial); when the session ends they are shown on the
/// caller's host, one warning each, and kept as they were then.
/// </summary>
internal sealed class SessionDenials
{
    // Neither the session's cmdlet nor its pipeline is there when the session ends: the observer's
    // limit is the only one there is to name.
    private const string Remedy = "start the session without -ExplainDenials and trace the work with Trace-LandlockAccess -MaximumAccessCount";

    private readonly AccessObserver _observer;
    private readonly LandlockRuleset _ruleset;
    private readonly SandboxSessionState _state;
    private readonly PSHost? _host;
    private readonly string _name;
    private volatile IReadOnlyList<LandlockAccessEvent>? _final;
    private int _ended;

    /// <param name="observer">The session's observer, marked once the session is open (what came before was pwsh starting).</param>
    /// <param name="ruleset">The caller's ruleset; the implicit rules are added from <paramref name="state"/>.</param>
    /// <param name="host">Where the warnings go when the session ends: the caller's own host; null to show none.</param>
    /// <param name="name">The session's name, which the warnings start with.</param>
    internal SessionDenials(AccessObserver observer, LandlockRuleset ruleset, SandboxSessionState state, PSHost? host, string name)
    {
        _observer = observer;
        _ruleset = ruleset;
        _state = state;
        _host = host;
        _name = name;
    }

    /// <summary>Calls past the observer's bound, which no denial accounts for; null when every call was recorded.</summary>
    internal string? LostWarning => RunObservation.LostWarning(_observer, Remedy);

    /// <summary>The denials so far (all of them once the session has ended), most frequent first, each with its fix.</summary>
    internal IReadOnlyList<LandlockAccessEvent> Current() =>
        _final ?? RunObservation.Denials(_observer.Events(), _ruleset, _state.ImplicitRules);

    /// <summary>Once, when the session's child and everything it started are gone: keeps the denials and shows them.</summary>
    internal void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        IReadOnlyList<LandlockAccessEvent> events = RunObservation.Collect(_observer, Warn, Remedy);
        _final = RunObservation.Denials(events, _ruleset, _state.ImplicitRules);
        foreach (LandlockAccessEvent denial in _final) Warn(RunObservation.Describe(denial));
    }

    // A host without a user interface (one made through the API) shows nothing; nor does a session
    // made with -WarningAction SilentlyContinue. What follows the name was neutralised where it came
    // from the sandbox.
    private void Warn(string message) => _host?.UI?.WriteWarningLine($"Session {HostText.Neutralize(_name)}: {message}");
}
