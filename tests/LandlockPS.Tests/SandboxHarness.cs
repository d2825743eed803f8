using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;

namespace LandlockPS.Tests;

/// <summary>Runs a program in the sandbox to the end and collects what it wrote.</summary>
internal static class SandboxHarness
{
    internal sealed record Result(SandboxExitStatus Status, string Stdout, string Stderr, LandlockEnforcementReport Enforcement)
    {
        public int ExitCode => Status.ShellExitCode;
    }

    internal static readonly IReadOnlyDictionary<string, string> Env = new Dictionary<string, string>
    {
        ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["LC_ALL"] = "C",
    };

    /// <summary>A ruleset that lets a child run system programs: read/execute /usr, /bin, /lib*, /etc.</summary>
    internal static LandlockRuleset SystemRuleset(LandlockAbi abi = AbiFeatures.Newest)
    {
        var rs = new LandlockRuleset(abi);
        foreach (string dir in new[] { "/usr", "/bin", "/lib", "/lib64", "/etc" }.Where(System.IO.Directory.Exists))
        {
            rs.AddPathRule(dir, rs.ResolveAccessFs([LandlockAccessFs.ReadExecute]));
        }
        rs.AddPathRule("/dev/null", LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile);
        return rs;
    }

    internal static Result Run(LandlockRuleset ruleset, string program, params string[] args) =>
        Run(ruleset, new SandboxStartInfo(program) { Arguments = args, Environment = Env, WorkingDirectory = "/" });

    internal static Result Sh(LandlockRuleset ruleset, string script) => Run(ruleset, "/bin/sh", "-c", script);

    /// <summary>The control: the same program, started without any sandbox; its exit code and output.</summary>
    internal static (int ExitCode, string Stdout) Unconfined(string program, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout);
    }

    internal static Result Run(LandlockRuleset ruleset, SandboxStartInfo info, byte[]? input = null)
    {
        using SandboxedProcess process = SandboxedProcess.Start(info, ruleset);
        if (input is not null)
        {
            while (!process.TryWriteInput(input)) { }
            process.CloseInput();
        }
        var stdout = new List<byte>();
        var stderr = new List<byte>();
        while (!process.IsOutputCompleted)
        {
            if (!process.TryTakeOutput(out OutputChunk chunk, 10_000)) continue;
            (chunk.Stream == ChildStream.StandardOutput ? stdout : stderr).AddRange(chunk.Buffer.AsSpan(0, chunk.Count).ToArray());
        }
        process.WaitForExit();
        return new Result(process.ExitStatus!, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()), process.Enforcement);
    }
}
