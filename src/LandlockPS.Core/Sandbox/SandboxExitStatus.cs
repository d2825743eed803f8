namespace LandlockPS.Core.Sandbox;

/// <summary>How a sandboxed child ended.</summary>
public sealed record SandboxExitStatus(int? ExitCode, int? Signal)
{
    /// <summary>The exit code as a shell reports it: the code, or 128 + the signal number.</summary>
    public int ShellExitCode => ExitCode ?? 128 + (Signal ?? 0);

    public override string ToString() => Signal is { } s ? $"killed by signal {s}" : $"exit code {ExitCode}";
}
