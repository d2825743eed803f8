using System;
using System.Net;
using System.Net.Sockets;
using LandlockPS.Core.Landlock;
using Xunit;
using static LandlockPS.Tests.SandboxHarness;

namespace LandlockPS.Tests;

/// <summary>Network rules and IPC scopes against the real kernel, each denied case with its allowed twin.</summary>
public class NetworkAndIpcConfinementTests
{
    private const string Connect =
        "use IO::Socket::INET; IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => shift, Proto => 'tcp') or die qq(connect: $!\\n); print qq(connected\\n)";
    private const string Bind =
        "use IO::Socket::INET; IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => shift, Proto => 'tcp', Listen => 1) or die qq(bind: $!\\n); print qq(bound\\n)";

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    [RequireAbiFact(4)]
    public void ConnectingToALocalPortNeedsARule()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            string port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString();
            var denied = Run(SystemRuleset(), "/usr/bin/perl", "-e", Connect, port);
            Assert.NotEqual(0, denied.ExitCode);
            Assert.Contains("Permission denied", denied.Stderr);

            LandlockRuleset rs = SystemRuleset();
            rs.AddNetRule(int.Parse(port), LandlockAccessNet.ConnectTcp);
            var allowed = Run(rs, "/usr/bin/perl", "-e", Connect, port);
            Assert.Equal("connected\n", allowed.Stdout);
        }
        finally
        {
            listener.Stop();
        }
    }

    [RequireAbiFact(4)]
    public void BindingALocalPortNeedsARule()
    {
        int port = FreePort();
        var denied = Run(SystemRuleset(), "/usr/bin/perl", "-e", Bind, port.ToString());
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("Permission denied", denied.Stderr);

        LandlockRuleset rs = SystemRuleset();
        rs.AddNetRule(port, LandlockAccessNet.BindTcp);
        Assert.Equal("bound\n", Run(rs, "/usr/bin/perl", "-e", Bind, port.ToString()).Stdout);
    }

    [RequireAbiFact(4)]
    public void AConnectRuleDoesNotAllowBinding()
    {
        int port = FreePort();
        LandlockRuleset rs = SystemRuleset();
        rs.AddNetRule(port, LandlockAccessNet.ConnectTcp);
        Assert.Contains("Permission denied", Run(rs, "/usr/bin/perl", "-e", Bind, port.ToString()).Stderr);
    }

    [RequireAbiFact(6)]
    public void SignallingTheParentIsDeniedByTheSignalScope()
    {
        string parent = Environment.ProcessId.ToString();
        var denied = Run(SystemRuleset(), "/bin/kill", "-0", parent);
        Assert.NotEqual(0, denied.ExitCode);

        var unscoped = new LandlockRuleset(handledAccessFs: LandlockAccessFs.None, handledAccessNet: LandlockAccessNet.None, scope: LandlockScope.AbstractUnixSocket);
        Assert.Equal(0, Run(unscoped, "/bin/kill", "-0", parent).ExitCode);
        // Signalling inside the sandbox stays allowed.
        Assert.Equal(0, Run(SystemRuleset(), "/bin/sh", "-c", "kill -0 $$").ExitCode);
    }

    [RequireAbiFact(6)]
    public void ConnectingToTheParentsAbstractSocketIsDeniedByTheScope()
    {
        string name = "llps-test-" + Guid.NewGuid().ToString("N");
        using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint("\0" + name));
        server.Listen(4);
        string perl = "use IO::Socket::UNIX; IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => qq(\\0) . shift) or die qq(connect: $!\\n); print qq(connected\\n)";

        // ABI 7: the scope decides, not the emulation of ResolveUnix (which would refuse the socket itself).
        var denied = Run(SystemRuleset(LandlockAbi.V7), "/usr/bin/perl", "-e", perl, name);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("Operation not permitted", denied.Stderr);

        var unscoped = new LandlockRuleset(handledAccessFs: LandlockAccessFs.None, handledAccessNet: LandlockAccessNet.None, scope: LandlockScope.Signal);
        Assert.Equal("connected\n", Run(unscoped, "/usr/bin/perl", "-e", perl, name).Stdout);
    }
}
