using System.Collections.Generic;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Observe;

/// <summary>
/// One distinct access a traced program made: who made it, what it did, where, which Landlock
/// rights that needs, how often it was seen and, when the trial ran under a ruleset, whether that
/// ruleset allows it. Trace-LandlockAccess emits these; ConvertTo-LandlockRuleset and
/// -ExplainDenials consume them.
/// </summary>
public sealed record LandlockAccessEvent
{
    /// <summary>The process that made the access (the first seen, when several made the same one).</summary>
    public int ProcessId { get; init; }

    /// <summary>The program that process was running (its executable's path).</summary>
    public string Program { get; init; } = string.Empty;

    /// <summary>The operation, named after the system call: open, execve, mkdir, unlink, rename, connect, bind...</summary>
    public string Operation { get; init; } = string.Empty;

    /// <summary>The absolute path, resolved as the kernel resolves it (against the working directory or the directory descriptor); null for a network access.</summary>
    public string? Path { get; init; }

    /// <summary>What the path finally names when a symbolic link was followed on the way; null when none was.</summary>
    public string? LinkTarget { get; init; }

    /// <summary>The file-system rights the operation needs.</summary>
    public LandlockAccessFs Access { get; init; }

    /// <summary>The network rights the operation needs.</summary>
    public LandlockAccessNet NetAccess { get; init; }

    /// <summary>The TCP or UDP port of a connect or bind; null for a file-system access.</summary>
    public int? Port { get; init; }

    /// <summary>
    /// For a call LandlockPS's own filter denied where the kernel's Landlock cannot restrict its class
    /// (a UNIX or UDP socket, io_uring, an executable memfd): that class. Such a call has no path or
    /// port; <see cref="Access"/> and <see cref="NetAccess"/> name the rights the class stands in for.
    /// None for every other access.
    /// </summary>
    public LandlockEmulation Emulation { get; init; }

    /// <summary>How many times this access was seen; for a script block, how many times the block made it (not counting the child pwsh starting).</summary>
    public long Count { get; init; } = 1;

    /// <summary>With a ruleset: whether it allows the access; null when the trial ran unconfined.</summary>
    public bool? Allowed { get; init; }

    /// <summary>With a ruleset: why it allows or denies the access, as Test-LandlockAccess says it.</summary>
    public string? Reason { get; init; }

    /// <summary>With a ruleset and a denied path: what would allow it, as data (the module renders <see cref="Suggestion"/> from it).</summary>
    public IReadOnlyList<LandlockAccessFix>? Fixes { get; init; }

    /// <summary>With a ruleset and a denial: the rule that would allow it, ready to paste.</summary>
    public string? Suggestion { get; init; }

    /// <summary>With a ruleset: the file-system rights of <see cref="Access"/> it denies (None when allowed, or for a network access).</summary>
    public LandlockAccessFs DeniedAccess { get; init; }

    /// <summary>
    /// True when a rule LandlockPS adds by itself already covers the access: the runtime a script
    /// block's child pwsh needs, or its scratch home (see Invoke-Sandboxed -NoImplicitRules). Such an
    /// access says nothing about what the script itself needs.
    /// </summary>
    public bool Implicit { get; init; }

    /// <summary>
    /// True when the access was seen only while the run made ready for the work or closed down after
    /// it: a script block's child pwsh starting up and opening its session, or closing it and exiting,
    /// not the block itself. Such an access says nothing about what the script needs, and
    /// -ExplainDenials leaves it out.
    /// </summary>
    public bool Startup { get; init; }
}
