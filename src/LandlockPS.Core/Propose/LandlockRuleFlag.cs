using System;

namespace LandlockPS.Core.Propose;

/// <summary>Why a proposed rule is not granted unless asked for (ConvertTo-LandlockRuleset -IncludeFlagged).</summary>
[Flags]
public enum LandlockRuleFlag
{
    /// <summary>Nothing to flag: granted as proposed.</summary>
    None = 0,

    /// <summary>It writes (creates, removes, changes) within the system's programs, configuration, state or devices.</summary>
    SystemWrite = 1,

    /// <summary>It writes a whole home folder, a folder above one, or a home's start-up and configuration files (~/.bashrc, ~/.config...).</summary>
    HomeWrite = 2,

    /// <summary>It reaches a secret-looking path (~/.ssh, *.pem, .netrc, /etc/shadow...), or a folder holding one or a home folder.</summary>
    Secret = 4,

    /// <summary>
    /// It writes within a repository's control folder (.git, .hg), or a folder holding one: hooks and
    /// configuration there run, unconfined, with the next git or hg command in it.
    /// </summary>
    RepositoryWrite = 8,

    /// <summary>
    /// It lists / or a temp folder: a folder rule with ReadDir lets every folder below be listed, the
    /// names of all files there, other users' and other sandboxes' too. PowerShell lists each folder
    /// above a path it resolves, and works without it.
    /// </summary>
    WideListing = 16,
}
