using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Remoting.Client;
using System.Management.Automation.Runspaces;
using System.Management.Automation.Internal;
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

/// <summary>
/// A PowerShell remoting connection to a child pwsh that LandlockPS starts confined, speaking PSRP
/// over its stdin/stdout. Immutable: PowerShell clones it several times before it builds the
/// transport from the last clone, and only the transport starts the child.
/// </summary>
internal sealed class SandboxConnectionInfo : RunspaceConnectionInfo
{
    internal SandboxConnectionInfo(PwshLaunch launch, SandboxSessionState state)
    {
        Launch = launch;
        State = state;
    }

    internal PwshLaunch Launch { get; }

    /// <summary>Shared by every clone: what the transport learned about its child.</summary>
    internal SandboxSessionState State { get; }

    public override string ComputerName
    {
        get => "landlock";
        set => throw new NotSupportedException("A sandboxed session always runs on this machine.");
    }

    public override PSCredential? Credential
    {
        get => null;
        set => throw new NotSupportedException("A sandboxed session runs as the current user.");
    }

    public override AuthenticationMechanism AuthenticationMechanism
    {
        get => AuthenticationMechanism.Default;
        set => throw new NotSupportedException("A sandboxed session needs no authentication.");
    }

    public override string CertificateThumbprint
    {
        get => string.Empty;
        set => throw new NotSupportedException("A sandboxed session needs no certificate.");
    }

    public override RunspaceConnectionInfo Clone()
    {
        var clone = new SandboxConnectionInfo(Launch, State);
        clone.OpenTimeout = OpenTimeout;
        clone.CancelTimeout = CancelTimeout;
        clone.OperationTimeout = OperationTimeout;
        clone.IdleTimeout = IdleTimeout;
        return clone;
    }

    public override BaseClientSessionTransportManager CreateClientSessionTransportManager(
        Guid instanceId, string sessionName, PSRemotingCryptoHelper cryptoHelper) =>
        new SandboxTransport(this, instanceId, cryptoHelper);
}
