using System;

namespace LandlockPS.Core.Landlock;

/// <summary>Network access rights (LANDLOCK_ACCESS_NET_*), each tied to a port by a net rule.</summary>
[Flags]
public enum LandlockAccessNet : ulong
{
    /// <summary>No right.</summary>
    None = 0,
    /// <summary>ABI 4: bind a TCP socket to the port.</summary>
    BindTcp = 1UL << 0,
    /// <summary>ABI 4: connect a TCP socket to the port.</summary>
    ConnectTcp = 1UL << 1,
    /// <summary>ABI 10: bind a UDP socket to the port.</summary>
    BindUdp = 1UL << 2,
    /// <summary>ABI 10: connect a UDP socket to, or send a datagram to, the port.</summary>
    ConnectSendUdp = 1UL << 3,
}
