namespace LandlockPS.Core.Sandbox;

/// <summary>How a sandboxed child ended.</summary>
public sealed record SandboxExitStatus(int? ExitCode, int? Signal)
{
    /// <summary>The exit code as a shell reports it: the code, or 128 + the signal number.</summary>
    public int ShellExitCode => ExitCode ?? 128 + (Signal ?? 0);

    /// <inheritdoc/>
    public override string ToString() => (ExitCode, Signal) switch
    {
        (_, { } signal) => $"killed by signal {signal}",
        ({ } code, _) => $"exit code {code}",
        _ => "exit status unknown: another reaper took the child (was this process started with SIGCHLD ignored?)",
    };
}
