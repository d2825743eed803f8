namespace LandlockPS.Core.Sandbox;

/// <summary>How a sandboxed run ended.</summary>
public enum SandboxEnding
{
    /// <summary>The child exited on its own, with its exit code.</summary>
    Exited,
    /// <summary>A signal ended the child, not at LandlockPS's request (a crash, a kill from elsewhere, one it sent itself).</summary>
    Signaled,
    /// <summary>-TimeoutSec ran out: the child was sent SIGTERM (and SIGKILL if it outlived the grace period).</summary>
    TimedOut,
    /// <summary>The run was stopped (Ctrl+C): the child was interrupted (and killed if it outlived the grace period).</summary>
    Stopped,
}
