using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;
using Xunit;
using static LandlockPS.Tests.SandboxHarness;

namespace LandlockPS.Tests;

/// <summary>
/// What this kernel's Landlock cannot restrict, closed by the launch's seccomp filter, against the
/// real kernel: each denied case next to its allowed twin (a ruleset that grants or does not handle
/// the class) and an unconfined control that shows the action works at all.
/// </summary>
public class EmulationTests(EscapePrograms programs) : IClassFixture<EscapePrograms>
{
    private const string ConnectUnix =
        "use IO::Socket::UNIX; IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => shift) or die qq(connect: $!\\n); print qq(connected\\n)";
    private const string SendUdp =
        "use IO::Socket::INET; my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => shift, Proto => 'udp') or die qq(udp: $!\\n); " +
        "$s->send(qq(ping)) or die qq(send: $!\\n); print qq(sent\\n)";
    private const string Perl = "/usr/bin/perl";

    private static LandlockEmulation Emulatable => KernelFacts.Support.Emulation;

    // Neither Execute (no memfd emulation) nor an ABI past 7 (no socket emulation): nothing to emulate.
    private static LandlockRuleset NothingEmulated() =>
        new(LandlockAbi.V7, handledAccessFs: LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg, handledAccessNet: LandlockAccessNet.None, scope: LandlockScope.None);

    // A UNIX socket listening at path, which an unconfined connect reaches (the control).
    private static Socket Listening(string path)
    {
        var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.Listen(8);
        Assert.Equal("connected\n", Unconfined(Perl, "-e", ConnectUnix, path).Stdout);
        return server;
    }

    [Fact]
    public void ConnectingToAUnixSocketByPathNeedsAResolveUnixRule()
    {
        using var tree = new TempTree();
        string path = Path.Combine(tree.Root, "service.sock");
        using Socket server = Listening(path);

        Result denied = Run(SystemRuleset(), Perl, "-e", ConnectUnix, path);
        Assert.Contains("connect: Permission denied", denied.Stderr);
        Assert.Equal(Emulatable.HasFlag(LandlockEmulation.UnixSockets), denied.Enforcement.Emulated.HasFlag(LandlockEmulation.UnixSockets));

        // A rule of ResolveUnix alone, anywhere, leaves UNIX sockets to Landlock alone; on this kernel that is no restriction.
        LandlockRuleset granted = SystemRuleset();
        granted.AddPathRule(tree.Root, LandlockAccessFs.ResolveUnix);
        Result allowed = Run(granted, Perl, "-e", ConnectUnix, path);
        Assert.Equal("connected\n", allowed.Stdout);
        Assert.False(allowed.Enforcement.Emulated.HasFlag(LandlockEmulation.UnixSockets));
        if (Emulatable.HasFlag(LandlockEmulation.UnixSockets))
        {
            Assert.Equal(EnforcementStatus.PartiallyEnforced, allowed.Enforcement.Status);
            Assert.Equal(["ResolveUnix"], allowed.Enforcement.Dropped);
        }
    }

    [Fact]
    public void ResolveUnixThatComesWithAFoldersOtherRightsKeepsUnixSocketsClosed()
    {
        using var tree = new TempTree();
        string path = Path.Combine(tree.Root, "service.sock");
        using Socket server = Listening(path);

        // ReadWrite on a work folder, as scripts grant one: it holds ResolveUnix, which on a kernel
        // before ABI 9 could only be honoured by opening every UNIX socket of the machine.
        LandlockRuleset folder = SystemRuleset();
        folder.AddPathRule(tree.Root, LandlockAccessFs.ReadWrite);
        Result kept = Run(folder, Perl, "-e", ConnectUnix, path);
        if (Emulatable.HasFlag(LandlockEmulation.UnixSockets))
        {
            Assert.Contains("connect: Permission denied", kept.Stderr);
            Assert.True(kept.Enforcement.Emulated.HasFlag(LandlockEmulation.UnixSockets));
            Assert.Equal(EnforcementStatus.FullyEnforced, kept.Enforcement.Status);
        }
        else
        {
            Assert.Equal("connected\n", kept.Stdout); // the kernel's ResolveUnix allows it per path
        }

        // The twin: a rule of ResolveUnix alone, on the socket itself, asks for sockets.
        folder.AddPathRule(path, LandlockAccessFs.ResolveUnix);
        Assert.Equal("connected\n", Run(folder, Perl, "-e", ConnectUnix, path).Stdout);
    }

    [Fact]
    public void SocketPairsStillWorkWhereUnixSocketsAreClosed()
    {
        Result r = Run(SystemRuleset(), Perl, "-e", "use Socket; socketpair(my $a, my $b, AF_UNIX, SOCK_STREAM, 0) or die qq(pair: $!\\n); print qq(paired\\n)");
        Assert.Equal("paired\n", r.Stdout);
    }

    [Fact]
    public void SendingUdpNeedsAUdpRule()
    {
        using var listener = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Client.ReceiveTimeout = 30_000; // a hang guard
        string port = ((IPEndPoint)listener.Client.LocalEndPoint!).Port.ToString();
        Assert.Equal("sent\n", Unconfined(Perl, "-e", SendUdp, port).Stdout);
        Assert.Equal("ping", Receive(listener));

        Result denied = Run(SystemRuleset(), Perl, "-e", SendUdp, port);
        Assert.Contains("udp: Permission denied", denied.Stderr);
        Assert.Equal(Emulatable.HasFlag(LandlockEmulation.UdpSockets), denied.Enforcement.Emulated.HasFlag(LandlockEmulation.UdpSockets));

        LandlockRuleset granted = SystemRuleset();
        granted.AddNetRule(int.Parse(port), LandlockAccessNet.ConnectSendUdp);
        Assert.Equal("sent\n", Run(granted, Perl, "-e", SendUdp, port).Stdout);
        Assert.Equal("ping", Receive(listener));
    }

    [Fact]
    public void NoUdpSocketOfEitherFamilyWhileTcpStaysToItsRules()
    {
        const string Make = "use Socket; socket(my $s, shift eq 'v6' ? AF_INET6 : AF_INET, shift eq 'udp' ? SOCK_DGRAM : SOCK_STREAM, 0) or die qq(socket: $!\\n); print qq(made\\n)";
        foreach (string family in new[] { "v4", "v6" })
        {
            // A machine without IPv6 makes no such socket for anyone.
            if (Unconfined(Perl, "-e", Make, family, "udp").Stdout != "made\n") continue;
            Assert.Contains("socket: Permission denied", Run(SystemRuleset(), Perl, "-e", Make, family, "udp").Stderr);
            Assert.Equal("made\n", Run(SystemRuleset(), Perl, "-e", Make, family, "tcp").Stdout);
            LandlockRuleset granted = SystemRuleset();
            granted.AddNetRule(53, LandlockAccessNet.BindUdp);
            Assert.Equal("made\n", Run(granted, Perl, "-e", Make, family, "udp").Stdout);
        }
    }

    [NeedsCompilerFact]
    public void ACopyOfAProgramInAMemfdCannotBeRunWhereExecuteIsHandled()
    {
        string memfdexec = programs.Program("memfdexec");
        LandlockRuleset rs = SystemRuleset();
        rs.AddPathRule(programs.Bin, LandlockAccessFs.ReadExecute);
        foreach (string way in new[] { "execveat", "procfd" })
        {
            // MFD_CLOEXEC: an executable memfd, as every kernel makes one by default.
            Assert.Equal(0, Unconfined(memfdexec, "/usr/bin/true", "1", way).ExitCode);

            Result denied = Run(rs, memfdexec, "/usr/bin/true", "1", way);
            Assert.Equal(2, denied.ExitCode);
            Assert.Equal("memfd_create: Permission denied\n", denied.Stdout);
            Assert.True(denied.Enforcement.Emulated.HasFlag(LandlockEmulation.MemfdExecute));

            // MFD_CLOEXEC | MFD_NOEXEC_SEAL: allowed where the kernel can seal, and never runnable.
            Result sealedCopy = Run(rs, memfdexec, "/usr/bin/true", "9", way);
            Assert.Equal(SeccompSupport.MemfdNoExecSeal ? 3 : 2, sealedCopy.ExitCode);

            // The twin: a ruleset that does not handle Execute leaves memfds alone.
            LandlockRuleset twin = NothingEmulated();
            Assert.Equal(LandlockEmulation.None, Run(twin, memfdexec, "/usr/bin/true", "1", way).Enforcement.Emulated);
            Assert.Equal(0, Run(twin, memfdexec, "/usr/bin/true", "1", way).ExitCode);
        }
    }

    [NeedsCompilerFact]
    public void IoUringIsOffWhereSocketsAreEmulated()
    {
        string uring = programs.Program("uring");
        LandlockRuleset rs = SystemRuleset();
        rs.AddPathRule(programs.Bin, LandlockAccessFs.ReadExecute);
        // A kernel with io_uring turned off (kernel.io_uring_disabled) answers for itself.
        if (Unconfined(uring).Stdout != "io_uring: ok\n" || (Emulatable & LandlockEmulation.IoUring) == 0) return;

        Assert.Equal("io_uring: Operation not permitted\n", Run(rs, uring).Stdout);

        using var sockets = new TempTree();
        LandlockRuleset granted = rs.Clone();
        granted.AddPathRule(sockets.Root, LandlockAccessFs.ResolveUnix);
        granted.AddNetRule(53, LandlockAccessNet.ConnectSendUdp);
        Result twin = Run(granted, uring);
        Assert.False(twin.Enforcement.Emulated.HasFlag(LandlockEmulation.IoUring));
        Assert.Equal("io_uring: ok\n", twin.Stdout);
    }

    [NeedsCompilerFact]
    public void ACallThroughAnotherAbiKillsASandboxThatEmulates()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64) return; // x32 is an x86_64 ABI
        string x32 = programs.Program("x32");
        (int controlExit, string control) = Unconfined(x32);
        Assert.Equal(0, controlExit);
        Assert.StartsWith("x32: ", control);

        LandlockRuleset rs = SystemRuleset();
        rs.AddPathRule(programs.Bin, LandlockAccessFs.ReadExecute);
        Result killed = Run(rs, x32);
        Assert.Equal(31, killed.Status.Signal); // SIGSYS
        Assert.Equal("", killed.Stdout);

        // Without emulation the call reaches the kernel, which answers (a pid, or -ENOSYS where x32 is off).
        Result twin = Run(NothingEmulated(), x32);
        Assert.Null(twin.Status.Signal);
        Assert.StartsWith("x32: ", twin.Stdout);
    }

    private static string Receive(UdpClient listener)
    {
        IPEndPoint? from = null;
        return Encoding.ASCII.GetString(listener.Receive(ref from));
    }
}
