using System;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// What LandlockPS closes with a seccomp filter where the running kernel's Landlock cannot: each
/// member denies a whole class of calls, so it is used only when the ruleset handles the class and
/// grants none of it (a rule that grants part of it leaves the class to Landlock alone).
/// </summary>
[Flags]
public enum LandlockEmulation
{
    /// <summary>Nothing is emulated.</summary>
    None = 0,
    /// <summary>For ResolveUnix (ABI 9): no new UNIX sockets at all (socketpair keeps working).</summary>
    UnixSockets = 1 << 0,
    /// <summary>For BindUdp and ConnectSendUdp (ABI 10): no IPv4 or IPv6 datagram sockets.</summary>
    UdpSockets = 1 << 1,
    /// <summary>For Execute, which no ABI applies to memfds: memfds are created sealed against execution, or not at all.</summary>
    MemfdExecute = 1 << 2,
    /// <summary>With either socket class: no io_uring, which could make sockets without socket(2).</summary>
    IoUring = 1 << 3,
}
