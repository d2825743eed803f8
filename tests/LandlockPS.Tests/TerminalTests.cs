using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;
using Xunit;
using static LandlockPS.Tests.SandboxHarness;

namespace LandlockPS.Tests;

/// <summary>
/// A child's private terminal (-Terminal): its controlling terminal in its own session, reachable
/// and nothing else of /dev/pts, and the relay between it and the caller's terminal. The caller's
/// terminal is played by a second pseudo-terminal, whose primary side types and reads the screen.
/// </summary>
public unsafe partial class TerminalTests
{
    private const int O_RDWR = 2;
    private const int O_NOCTTY = 0x100;
    private const int O_CLOEXEC = 0x80000;
    private const int ICANON = 0x2;
    private const int LflagOffset = 12;
    private const nuint TIOCSWINSZ = 0x5414;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read")]
    private static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write")]
    private static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll")]
    private static partial int Poll(long* pollfd, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "tcgetattr")]
    private static partial int TcGetAttr(int fd, byte* termios);

    [LibraryImport("libc", EntryPoint = "ioctl")]
    private static partial int Ioctl(int fd, nuint request, ushort* size);

    private static LandlockRuleset WithProc()
    {
        LandlockRuleset rs = SystemRuleset(LandlockAbi.V7);
        rs.AddPathRule("/proc", LandlockAccessFs.ReadOnly);
        return rs;
    }

    private static SandboxedProcess StartOn(PseudoTerminal terminal, LandlockRuleset ruleset, string script) =>
        SandboxedProcess.Start(new SandboxStartInfo("/bin/sh") { Arguments = ["-c", script], Environment = Env, WorkingDirectory = "/", Terminal = terminal }, ruleset);

    // Runs a script on the terminal to its end: what it showed there, how it ended, the rules its terminal got.
    private static (string Screen, SandboxExitStatus Status, LandlockPathRule[] Rules) RunOn(PseudoTerminal terminal, string script)
    {
        using SandboxedProcess child = StartOn(terminal, WithProc(), script);
        string screen = ReadUntilClosed(terminal);
        child.WaitForExit();
        return (screen, child.ExitStatus!, child.TerminalRules.ToArray());
    }

    [Fact]
    public void TheChildsTerminalIsItsControllingTerminalInItsOwnSession()
    {
        using PseudoTerminal terminal = PseudoTerminal.Open(33, 101);
        (string screen, SandboxExitStatus status, LandlockPathRule[] rules) = RunOn(terminal,
            "tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo stdio-tty; stty size; : < /dev/tty && echo devtty-opens; " +
            "[ $(ps -o sid= -p $$) -eq $$ ] && echo session-leader; ps -o tty= -p $$");
        Assert.Equal(0, status.ExitCode);
        string[] lines = screen.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([terminal.ReplicaPath, "stdio-tty", "33 101", "devtty-opens", "session-leader", terminal.ReplicaPath["/dev/".Length..]], lines);
        Assert.Equal([terminal.ReplicaPath, "/dev/tty"], rules.Select(r => r.Path));
        Assert.All(rules, r => Assert.Equal(PseudoTerminal.ReplicaAccess, r.Access));
    }

    [Fact]
    public void TheChildReachesItsOwnTerminalAndNoOther()
    {
        using PseudoTerminal other = PseudoTerminal.Open(24, 80);
        using PseudoTerminal terminal = PseudoTerminal.Open(24, 80);
        string screen = RunOn(terminal, $"echo own > $(tty) && echo own-ok; echo other > {other.ReplicaPath} || echo other-denied").Screen;
        Assert.Contains("own-ok", screen);
        Assert.Contains("Permission denied", screen);
        Assert.Contains("other-denied", screen);
        Assert.DoesNotContain("other", ReadUntil(other.Primary.Fd, "other", 300));
    }

    [Fact]
    public void TiocstiTypesIntoTheChildsOwnTerminal()
    {
        using PseudoTerminal terminal = PseudoTerminal.Open(24, 80);
        string screen = RunOn(terminal,
            "stty -echo; /usr/bin/python3 -c \"import fcntl, termios; [fcntl.ioctl(0, termios.TIOCSTI, c.encode()) for c in 'typed\\n']\"; " +
            "read line; echo \"read:$line\"").Screen;
        Assert.Contains("read:typed", screen);
    }

    // The "caller's terminal": its replica is what the relay reads keys from and writes to.
    private static void AtCallersTerminal(ushort rows, ushort columns, Action<PseudoTerminal, int> test)
    {
        using PseudoTerminal caller = PseudoTerminal.Open(rows, columns);
        int screen = Open(caller.ReplicaPath, O_RDWR | O_NOCTTY | O_CLOEXEC);
        Assert.True(screen >= 0);
        try
        {
            test(caller, screen);
        }
        finally
        {
            Close(screen);
        }
    }

    [Fact]
    public void TheRelayTypesKeysInAndShowsOutputInRawModeAndRestoresTheCallersModes() => AtCallersTerminal(40, 120, (caller, screen) =>
    {
        byte[] before = Modes(screen);
        Assert.NotEqual(0, before[LflagOffset] & ICANON);
        using PseudoTerminal terminal = PseudoTerminal.Open(40, 120);
        using SandboxedProcess child = StartOn(terminal, WithProc(), "stty size; read a; echo \"got:$a\"; read b; stty size; exit 3");
        using (TerminalRelay relay = TerminalRelay.Start(terminal, screen, screen))
        {
            Assert.True(relay.RelaysInput);
            Assert.Equal(0, Modes(screen)[LflagOffset] & ICANON); // raw while relayed
            Assert.Contains("40 120", ReadUntil(caller.Primary.Fd, "40 120"));
            Type(caller, "hello\r");
            Assert.Contains("got:hello", ReadUntil(caller.Primary.Fd, "got:hello"));
            // The window changes: the relay notices (here by its periodic check: no SIGWINCH for this terminal).
            ushort* size = stackalloc ushort[4] { 50, 132, 0, 0 };
            Assert.Equal(0, Ioctl(caller.Primary.Fd, TIOCSWINSZ, size));
            System.Threading.Thread.Sleep(1200);
            Type(caller, "\r");
            Assert.Contains("50 132", ReadUntil(caller.Primary.Fd, "50 132"));
            child.WaitForExit();
        }
        Assert.Equal(3, child.ExitStatus!.ExitCode);
        Assert.Equal(before, Modes(screen));
    });

    [Fact]
    public void TheRelayStopsTakingKeysWhenItStops() => AtCallersTerminal(24, 80, (caller, screen) =>
    {
        using PseudoTerminal terminal = PseudoTerminal.Open(24, 80);
        using SandboxedProcess child = StartOn(terminal, WithProc(), "exit 0");
        TerminalRelay.Start(terminal, screen, screen).Dispose();
        child.WaitForExit();
        // Typed after the run: left for the caller's own shell, in its own (restored) modes.
        Type(caller, "after\n");
        Assert.Equal("after\n", Encoding.ASCII.GetString(ReadLine(screen)));
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CtrlCAtTheTerminalInterruptsTheChildsForegroundJob(bool typedByLandlockPS)
    {
        using PseudoTerminal terminal = PseudoTerminal.Open(24, 80);
        using SandboxedProcess child = StartOn(terminal, WithProc(), "trap 'echo interrupted; exit 7' INT; echo ready; while :; do sleep 0.1; done");
        Assert.Contains("ready", ReadUntil(terminal.Primary.Fd, "ready"));
        if (typedByLandlockPS) Assert.True(terminal.TypeInterrupt());
        else Type(terminal, "\u0003");
        Assert.Contains("interrupted", ReadUntilClosed(terminal));
        child.WaitForExit();
        Assert.Equal(7, child.ExitStatus!.ExitCode);
    }

    [Fact]
    public void ANewTerminalStartsCookedAndTypesNothingOnceClosed()
    {
        PseudoTerminal terminal = PseudoTerminal.Open(24, 80);
        byte[] modes = Modes(terminal.Primary.Fd);
        Assert.NotEqual(0, modes[LflagOffset] & ICANON);
        terminal.Dispose();
        Assert.False(terminal.TypeInterrupt());
    }

    private static byte[] Modes(int fd)
    {
        byte[] modes = new byte[64];
        fixed (byte* p = modes) Assert.Equal(0, TcGetAttr(fd, p));
        return modes;
    }

    private static void Type(PseudoTerminal terminal, string keys)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(keys);
        fixed (byte* p = bytes) Assert.Equal(bytes.Length, (int)Write(terminal.Primary.Fd, p, (nuint)bytes.Length));
    }

    private static byte[] ReadLine(int fd)
    {
        byte[] buffer = new byte[256];
        Assert.True(WaitReadable(fd, 10_000));
        fixed (byte* p = buffer) return buffer[..(int)Read(fd, p, (nuint)buffer.Length)];
    }

    // What arrives on fd until the text shows up, the other side closes (EIO), or the time is up.
    private static string ReadUntil(int fd, string? expected, int milliseconds = 10_000)
    {
        var text = new StringBuilder();
        var clock = Stopwatch.StartNew();
        byte[] buffer = new byte[4096];
        while (clock.ElapsedMilliseconds < milliseconds && (expected is null || !text.ToString().Contains(expected)))
        {
            if (!WaitReadable(fd, 100)) continue;
            nint got;
            fixed (byte* p = buffer) got = Read(fd, p, (nuint)buffer.Length);
            if (got <= 0) break;
            text.Append(Encoding.UTF8.GetString(buffer, 0, (int)got));
        }
        return text.ToString();
    }

    private static string ReadUntilClosed(PseudoTerminal terminal) => ReadUntil(terminal.Primary.Fd, null);

    private static bool WaitReadable(int fd, int milliseconds)
    {
        long pollfd = (uint)fd | (1L << 32); // struct pollfd { int fd; short events = POLLIN; short revents; }
        return Poll(&pollfd, 1, milliseconds) > 0;
    }
}
