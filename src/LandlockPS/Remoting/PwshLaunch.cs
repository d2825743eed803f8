using System.Collections.Generic;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Remoting;

/// <summary>Everything needed to start a confined child pwsh; fixed once made.</summary>
internal sealed record PwshLaunch(
    LandlockRuleset Ruleset,
    bool ImplicitRules,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    bool KeepCapabilities,
    bool AllowUnconfined,
    ModuleLocation? Module,
    bool ShortLived)
{
    /// <summary>The folder of a .ps1 script the child runs, which it must read; null for a script block or a session.</summary>
    public string? ScriptFolder { get; init; }

    /// <summary>How much the child may send back: PowerShell's own remoting limits.</summary>
    public ReceiveLimits Limits { get; init; } = ReceiveLimits.Default;

    /// <summary>What the child may do with the caller's host beyond showing text.</summary>
    public SandboxHostAccess HostAccess { get; init; }

    /// <summary>Trace the child (Trace-LandlockAccess, -ExplainDenials); null: untraced.</summary>
    public LandlockPS.Core.Observe.AccessObserver? Observer { get; init; }
}
