using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// A private pseudo-terminal for one child. The caller keeps the primary side; the child opens the
/// replica by path in its new session, which makes it the child's controlling terminal. The pair
/// starts with the kernel's default modes (cooked, echoing, signals on), as a fresh terminal does.
/// Its members are for the thread that owns it; dispose only once nothing uses the primary side.
/// </summary>
public sealed unsafe class PseudoTerminal : IDisposable
{
    /// <summary>What the child may do with its replica: read, write, and the terminal ioctls.</summary>
    public const LandlockAccessFs ReplicaAccess = LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile | LandlockAccessFs.IoctlDev;

    private PseudoTerminal(SafeDescriptorHandle primary, string replicaPath)
    {
        Primary = primary;
        ReplicaPath = replicaPath;
    }

    /// <summary>The caller's side: what the child writes is read here, what is written here the child reads as typed.</summary>
    public SafeDescriptorHandle Primary { get; }

    /// <summary>The replica's path, e.g. /dev/pts/4: the one node the child's ruleset must let it open.</summary>
    public string ReplicaPath { get; }

    /// <summary>Opens a new pair with the given window size.</summary>
    public static PseudoTerminal Open(ushort rows, ushort columns)
    {
        int fd = TerminalApi.PosixOpenPt(TerminalApi.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC);
        if (fd < 0) throw Failure("posix_openpt", "Could not open a pseudo-terminal (/dev/ptmx)");
        var primary = new SafeDescriptorHandle(fd);
        try
        {
            int unlock = 0;
            uint index;
            if (TerminalApi.Ioctl(fd, TerminalApi.TIOCSPTLCK, &unlock) != 0) throw Failure("ioctl(TIOCSPTLCK)", "Could not unlock the pseudo-terminal");
            if (TerminalApi.Ioctl(fd, TerminalApi.TIOCGPTN, &index) != 0) throw Failure("ioctl(TIOCGPTN)", "Could not name the pseudo-terminal");
            var terminal = new PseudoTerminal(primary, $"/dev/pts/{index}");
            terminal.RequireReplicaAtPath();
            terminal.Resize(rows, columns);
            return terminal;
        }
        catch
        {
            primary.Dispose();
            throw;
        }
    }

    /// <summary>Sets the window size the child sees; a change signals SIGWINCH to its foreground job.</summary>
    public void Resize(ushort rows, ushort columns)
    {
        var size = new TerminalApi.WinSize { Rows = rows, Columns = columns };
        TerminalApi.Ioctl(Primary.Fd, TerminalApi.TIOCSWINSZ, &size);
    }

    /// <summary>
    /// Types the child's interrupt character (^C unless it changed it), as Ctrl+C at its terminal
    /// would: its foreground job gets SIGINT if its terminal makes signals of keys. False when it
    /// disabled the character, or the terminal is closed. Safe from any thread, even while another
    /// disposes the terminal.
    /// </summary>
    public bool TypeInterrupt()
    {
        bool added = false;
        try
        {
            Primary.DangerousAddRef(ref added);
            byte* termios = stackalloc byte[TerminalApi.TermiosBytes];
            // Terminal modes asked of the primary side are the replica's.
            if (TerminalApi.TcGetAttr(Primary.Fd, termios) != 0) return false;
            byte interrupt = termios[TerminalApi.InterruptCharOffset];
            return interrupt != 0 && ProcessApi.Write(Primary.Fd, &interrupt, 1) == 1; // 0: _POSIX_VDISABLE
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added) Primary.DangerousRelease();
        }
    }

    /// <summary>
    /// Adds to <paramref name="ruleset"/> (a copy the caller owns) the rules that let the child use
    /// its terminal: its replica, and nothing else of /dev/pts; and /dev/tty, which always names the
    /// opener's own controlling terminal: in the child's session the replica, for a process that
    /// left it none (so never the caller's terminal). Returns the rules added.
    /// </summary>
    public IReadOnlyList<LandlockPathRule> AllowIn(LandlockRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var added = new List<LandlockPathRule>();
        foreach (string path in new[] { ReplicaPath, ControllingTerminalPath })
        {
            LandlockAccessFs granted = ruleset.AddPathRuleWithin(path, ReplicaAccess, isDirectory: false);
            if (granted != LandlockAccessFs.None) added.Add(new LandlockPathRule(path, granted) { RulesetHandledAccessFs = ruleset.HandledAccessFs });
        }
        return added;
    }

    private const string ControllingTerminalPath = "/dev/tty";

    /// <inheritdoc/>
    public void Dispose() => Primary.Dispose();

    // The child opens the replica by path: make sure the path is this pair's replica (the devpts
    // mounted at /dev/pts is the one /dev/ptmx belongs to), so the child can never be handed some
    // other terminal. The replica is reached through the primary, never by path, for the comparison.
    private void RequireReplicaAtPath()
    {
        int peer = TerminalApi.Ioctl(Primary.Fd, TerminalApi.TIOCGPTPEER, (nint)(TerminalApi.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC));
        if (peer < 0) throw Failure("ioctl(TIOCGPTPEER)", "Could not reach the pseudo-terminal's replica");
        try
        {
            LibC.StatxBuffer byDescriptor, byPath;
            bool same = LibC.Statx(peer, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_INO, &byDescriptor) == 0
                && LibC.Statx(LibC.AT_FDCWD, ReplicaPath, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_INO, &byPath) == 0
                && (byDescriptor.DevMajor, byDescriptor.DevMinor, byDescriptor.Inode) == (byPath.DevMajor, byPath.DevMinor, byPath.Inode);
            if (!same)
            {
                throw new LandlockException(
                    $"{ReplicaPath} is not the pseudo-terminal just opened: /dev/pts is not the devpts instance /dev/ptmx belongs to. " +
                    "Mount devpts at /dev/pts (with /dev/ptmx a link to pts/ptmx), or run without a private terminal.",
                    errorId: "TerminalUnavailable");
            }
        }
        finally
        {
            LibC.Close(peer);
        }
    }

    private static LandlockException Failure(string call, string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new LandlockException($"{what} ({Errno.Name(errno)}).", call, errno, "TerminalUnavailable");
    }
}
