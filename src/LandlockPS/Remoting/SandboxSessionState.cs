using System;
using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;

namespace LandlockPS.Remoting;

/// <summary>What the transport knows about its confined child, for the cmdlets to report.</summary>
internal sealed class SandboxSessionState
{
    private readonly Queue<string> _stderrTail = new();
    private readonly System.Threading.ManualResetEventSlim _ended = new();

    /// <summary>Waits until the thread servicing the child has reaped it. Only that thread touches the process.</summary>
    public bool WaitForEnd(int millisecondsTimeout) => _ended.Wait(millisecondsTimeout);

    internal void MarkEnded() => _ended.Set();

    /// <summary>Set by the transport: ends the child at once, without the close handshake and without reporting a broken session.</summary>
    public Action? EndNow { get; set; }

    /// <summary>How the transport waits, before a command ends, for the caller's host to carry out the session's own host calls.</summary>
    public HostCatchUp HostCatchUp { get; } = new();

    /// <summary>Set by the transport: whether a command the caller sent still runs (the caller is waiting for the child).</summary>
    public Func<bool>? RunsCommand { get; set; }

    /// <summary>Set by the session's host, when it has a UI: where held text is written when the caller closes the session.</summary>
    public System.Management.Automation.Host.PSHostUserInterface? HostUI { get; set; }

    /// <summary>Set by the session's host: which of its commands the caller's shell does not wait for (jobs, and those of other runspaces).</summary>
    public SessionJobs? Jobs { get; set; }

    /// <summary>Why LandlockPS ended the child: it broke the protocol or a limit. PowerShell's own error says less.</summary>
    public LandlockException? Broken { get; set; }

    /// <summary>Ends a child whose data PowerShell could not read, and keeps why.</summary>
    public void EndUnreadable(Exception unreadable)
    {
        // The transport's own report of the child's end comes to PowerShell as unreadable data too: its reason is known.
        if (TransportFailed) return;
        Broken ??= new LandlockException(
            $"The sandboxed pwsh was ended because it sent data PowerShell could not read: {unreadable.Message} The output received before it is kept.",
            errorId: "SandboxProtocolViolation", innerException: unreadable);
        EndNow?.Invoke();
    }

    /// <summary>What the child sent that the caller's pipeline has not caught up with: the transport holds the child back past its bound.</summary>
    public ReceiveBacklog Backlog { get; } = new();

    /// <summary>Set once the transport has told PowerShell the child is gone or broken.</summary>
    public bool TransportFailed { get; set; }

    /// <summary>Why the child could not be started, if it could not: PowerShell hides it behind a generic error.</summary>
    public Exception? StartError { get; set; }

    /// <summary>The child, once started. Read its results once <see cref="WaitForEnd"/> returned true.</summary>
    public SandboxedProcess? Process { get; set; }

    public SandboxStartInfo? StartInfo { get; set; }

    public IReadOnlyList<LandlockPathRule> ImplicitRules { get; set; } = [];

    /// <summary>Folders that would have had an implicit rule but are reached through a link (see PwshSandbox.LinkedFolders).</summary>
    public IReadOnlyList<string> LinkedFolders { get; set; } = [];

    /// <summary>What -Verbose says of the implicit rules: each rule, and each folder left without one.</summary>
    public IEnumerable<string> ImplicitRulesText() =>
        ImplicitRules.Select(rule => $"  implicit: allow {AccessText.Format(rule.Access)} on {rule.Path}")
            .Concat(LinkedFolders.Select(folder => $"  implicit: none on {folder}, {LinkedFolderText}"));

    /// <summary>Why a chosen folder reached through a link has no implicit rule, and what to do.</summary>
    public const string LinkedFolderText =
        "which is reached through a symbolic link (a sandbox that may write above it could point it elsewhere); " +
        "if the sandboxed pwsh needs it, allow it with Add-LandlockPathRule";

    /// <summary>What the session's ruleset denied, when it was started with -ExplainDenials; null otherwise.</summary>
    public SessionDenials? Denials { get; set; }

    /// <summary>The last lines the child wrote to stderr, for messages when it dies.</summary>
    public string StandardErrorTail
    {
        get
        {
            lock (_stderrTail) return string.Join("\n", _stderrTail);
        }
    }

    /// <summary>A line the child wrote is only kept for messages: a few kilobytes of it are plenty.</summary>
    internal const int MaxStandardErrorLineChars = 4096;

    public void AddStandardError(string line)
    {
        if (line.Length > MaxStandardErrorLineChars) line = line[..MaxStandardErrorLineChars] + "...";
        lock (_stderrTail)
        {
            // Quoted in errors the caller's terminal shows.
            _stderrTail.Enqueue(HostText.Neutralize(line));
            while (_stderrTail.Count > 20) _stderrTail.Dequeue();
        }
    }

    public bool HasStandardError
    {
        get
        {
            lock (_stderrTail) return _stderrTail.Any();
        }
    }
}
