using System;

namespace LandlockPS.Core.Landlock;

/// <summary>IPC scopes (LANDLOCK_SCOPE_*): reaching outside the sandbox's own domain is denied.</summary>
[Flags]
public enum LandlockScope : ulong
{
    /// <summary>No scope.</summary>
    None = 0,
    /// <summary>ABI 6: connect to an abstract UNIX socket created outside the sandbox.</summary>
    AbstractUnixSocket = 1UL << 0,
    /// <summary>ABI 6: send a signal to a process outside the sandbox.</summary>
    Signal = 1UL << 1,
}
