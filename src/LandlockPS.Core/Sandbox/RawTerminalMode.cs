using System;
using System.Collections.Generic;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// The caller's terminal in raw mode while a child's private terminal is relayed: every key, Ctrl+C
/// and Ctrl+Z included, goes to the child as a byte, and its output reaches the screen unchanged.
/// Disposing restores the modes found on entry; so does this process's exit, should it come first.
/// </summary>
public sealed unsafe class RawTerminalMode : IDisposable
{
    private static readonly HashSet<RawTerminalMode> Active = [];
    private static bool _restoreAtExit;

    private readonly int _fd;
    private readonly byte[] _saved;
    private bool _restored;

    private RawTerminalMode(int fd, byte[] saved)
    {
        _fd = fd;
        _saved = saved;
    }

    /// <summary>Puts <paramref name="fd"/> in raw mode; null when it is no terminal (nothing to change).</summary>
    public static RawTerminalMode? Enter(int fd)
    {
        byte[] saved = new byte[TerminalApi.TermiosBytes];
        byte* raw = stackalloc byte[TerminalApi.TermiosBytes];
        fixed (byte* modes = saved)
        {
            if (TerminalApi.IsATty(fd) == 0 || TerminalApi.TcGetAttr(fd, modes) != 0) return null;
            new Span<byte>(modes, saved.Length).CopyTo(new Span<byte>(raw, saved.Length));
        }
        TerminalApi.CfMakeRaw(raw);
        var mode = new RawTerminalMode(fd, saved);
        lock (Active)
        {
            if (!_restoreAtExit)
            {
                _restoreAtExit = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => RestoreAll();
            }
            Active.Add(mode);
        }
        // Output already written is let through first, so it is not caught half-way by the change.
        if (TerminalApi.TcSetAttr(fd, TerminalApi.TCSADRAIN, raw) != 0)
        {
            mode.Dispose();
            return null;
        }
        return mode;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (Active)
        {
            if (_restored) return;
            _restored = true;
            Active.Remove(this);
        }
        fixed (byte* modes = _saved) TerminalApi.TcSetAttr(_fd, TerminalApi.TCSADRAIN, modes);
    }

    private static void RestoreAll()
    {
        RawTerminalMode[] modes;
        lock (Active) modes = [.. Active];
        foreach (RawTerminalMode mode in modes) mode.Dispose();
    }
}
