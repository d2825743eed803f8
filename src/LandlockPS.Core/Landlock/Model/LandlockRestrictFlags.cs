using System;

namespace LandlockPS.Core.Landlock;

/// <summary>Flags of landlock_restrict_self (LANDLOCK_RESTRICT_SELF_*).</summary>
[Flags]
public enum LandlockRestrictFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>ABI 7: do not log denials of the sandboxed program itself.</summary>
    LogSameExecOff = 1u << 0,
    /// <summary>ABI 7: log denials after the sandboxed program executes another one.</summary>
    LogNewExecOn = 1u << 1,
    /// <summary>ABI 7: do not log denials of nested sandboxes.</summary>
    LogSubdomainsOff = 1u << 2,
    /// <summary>ABI 8: restrict every thread of the caller at once. Known so it can be reported;
    /// never used: it would confine the caller's whole process.</summary>
    Tsync = 1u << 3,
}
