using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using LandlockPS.Core;
using LandlockPS.Core.Dependencies;
using LandlockPS.Core.Errors;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;
using Xunit;
using static LandlockPS.Tests.SandboxHarness;

namespace LandlockPS.Tests;

public class LaunchBehaviourTests
{
    [Fact]
    public void ArgumentsEnvironmentAndWorkingDirectoryReachTheChild()
    {
        using var t = new TempTree();
        LandlockRuleset rs = SystemRuleset();
        rs.AddPathRule(t.Root, LandlockAccessFs.ReadOnly);
        var env = new Dictionary<string, string>(Env) { ["GREETING"] = "héllo wörld" };
        var r = Run(rs, new SandboxStartInfo("/bin/sh")
        {
            Arguments = ["-c", "printf '%s|' \"$0\" \"$1\" \"$GREETING\" \"$(pwd)\"", "zero", "one two"],
            Environment = env,
            WorkingDirectory = t.Root,
        });
        Assert.Equal($"zero|one two|héllo wörld|{t.Root}|", r.Stdout);
    }

    [Fact]
    public void AnEmptyEnvironmentIsEmpty()
    {
        var r = Run(SystemRuleset(), new SandboxStartInfo("/usr/bin/env") { Environment = null });
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Empty, r.Stdout);
    }

    [Fact]
    public void StandardInputIsFedAndClosed()
    {
        byte[] input = Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(1, 20000)) + "\n");
        var r = Run(SystemRuleset(), new SandboxStartInfo("/usr/bin/wc") { Arguments = ["-l"], Environment = Env, RedirectStandardInput = true }, input);
        Assert.Equal("20000", r.Stdout.Trim());
    }

    // Input goes straight into the pipe while nothing waits, and behind what waits otherwise: pieces
    // written while the pipe is full, and while output is taken, arrive whole and in order.
    [Fact]
    public void StandardInputArrivesInOrderThroughAFullPipe()
    {
        byte[] input = new byte[5 << 20];
        for (int i = 0; i < input.Length; i++) input[i] = (byte)(i * 7 + i / 251);
        using SandboxedProcess process = SandboxedProcess.Start(new SandboxStartInfo("/bin/cat") { Environment = Env, WorkingDirectory = "/", RedirectStandardInput = true }, SystemRuleset());
        var echoed = new List<byte>(input.Length);
        void Take()
        {
            while (process.TryTakeOutput(out OutputChunk chunk, 0)) echoed.AddRange(chunk.Buffer.AsSpan(0, chunk.Count).ToArray());
        }
        for (int at = 0; at < input.Length;)
        {
            int piece = Math.Min(input.Length - at, 100_000 + at % 7919);
            if (process.TryWriteInput(input.AsSpan(at, piece))) at += piece;
            Take();
        }
        process.CloseInput();
        while (!process.IsOutputCompleted)
        {
            if (process.TryTakeOutput(out OutputChunk chunk, 10_000)) echoed.AddRange(chunk.Buffer.AsSpan(0, chunk.Count).ToArray());
        }
        Assert.Equal(0, process.ExitStatus!.ExitCode);
        Assert.True(input.AsSpan().SequenceEqual(echoed.ToArray()), $"cat echoed {echoed.Count} bytes of {input.Length}, or not in order");
    }

    [Fact]
    public void WithoutRedirectionStandardInputIsDevNull()
    {
        var r = Run(SystemRuleset(), "/bin/cat");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Empty, r.Stdout);
    }

    [Fact]
    public void LargeBinaryOutputArrivesIntact()
    {
        // 8 MiB through the bounded queue: far more than it ever holds at once.
        var r = Run(SystemRuleset(), "/bin/sh", "-c", "yes 1234567 | head -c 8388608");
        Assert.Equal(8 * 1024 * 1024, r.Stdout.Length);
        Assert.Equal(string.Concat(Enumerable.Repeat("1234567\n", 1024 * 1024)), r.Stdout);
    }

    [Fact]
    public void ASignalledChildReportsTheSignal()
    {
        var r = Sh(SystemRuleset(), "kill -TERM $$");
        Assert.Equal(15, r.Status.Signal);
        Assert.Null(r.Status.ExitCode);
        Assert.Equal(143, r.ExitCode);
    }

    [Fact]
    public void DeniedExecutionNamesTheFileAndItsInterpreter()
    {
        var rs = new LandlockRuleset();
        var e = Assert.Throws<LandlockException>(() => Run(rs, "/usr/bin/perl", "-v"));
        Assert.Equal("ExecutableNotAllowed", e.ErrorId);
        Assert.Equal(LandlockPS.Core.Native.Errno.EACCES, e.Errno);
        Assert.Contains("/usr/bin/perl", e.Message);
        Assert.Contains("ld-linux", e.Message);
        // The twin: the same program with read/execute on the system runs.
        Assert.Equal(0, Run(SystemRuleset(), "/usr/bin/perl", "-e", "1").ExitCode);
    }

    [Fact]
    public void WithOnlyTheProgramsFolderAllowedTheElfInterpreterIsBlamedNotTheProgram()
    {
        var rs = new LandlockRuleset(LandlockAbi.V7);
        rs.AddPathRule("/usr/bin", LandlockAccessFs.ReadExecute);
        var e = Assert.Throws<LandlockException>(() => Run(rs, "/usr/bin/ls", "--version"));
        Assert.Equal("ExecutableNotAllowed", e.ErrorId);
        string interpreter = ExecutableInspector.FindInterpreter("/usr/bin/ls")!;
        string real = LandlockPS.Core.Native.PathLookup.RealPath(interpreter, out _)!;
        Assert.Contains($"on its ELF interpreter {interpreter}", e.Message);
        Assert.Contains($"allow Execute, ReadFile on '{real}'", e.Message);
        Assert.DoesNotContain("ReadFile on the program", e.Message);
        // The twin: what the message asks for, and the libraries next to the interpreter, and ls runs.
        rs.AddPathRule(real, LandlockAccessFs.Execute | LandlockAccessFs.ReadFile);
        rs.AddPathRule(Path.GetDirectoryName(real)!, LandlockAccessFs.ReadFile);
        Assert.Equal(0, Run(rs, "/usr/bin/ls", "--version").ExitCode);
    }

    [Fact]
    public void AnInterpreterTheRulesetDeniesIsNamed()
    {
        using var t = new TempTree();
        string script = t.File("bin/script.sh", "#!/bin/sh\necho ran\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var rs = new LandlockRuleset();
        rs.AddPathRule(Path.GetDirectoryName(script)!, LandlockAccessFs.ReadExecute);
        var e = Assert.Throws<LandlockException>(() => Run(rs, script));
        Assert.Equal("ExecutableNotAllowed", e.ErrorId);
        Assert.Contains("interpreter /bin/sh", e.Message);
        rs = SystemRuleset();
        rs.AddPathRule(Path.GetDirectoryName(script)!, LandlockAccessFs.ReadExecute);
        Assert.Equal("ran\n", Run(rs, script).Stdout);
    }

    [Theory]
    [InlineData("/no/such/program", "ExecutableNotFound")]
    [InlineData("/usr", "ExecutableNotFound")]
    [InlineData("/etc/passwd", "ExecutableNotAllowed")]
    [InlineData("relative/program", "ExecutableNotFound")]
    public void BadProgramsAreRefusedBeforeLaunch(string program, string errorId)
    {
        var e = Assert.Throws<LandlockException>(() => Run(SystemRuleset(), program));
        Assert.Equal(errorId, e.ErrorId);
    }

    [Fact]
    public void AMissingWorkingDirectoryIsRefused()
    {
        var e = Assert.Throws<LandlockException>(() => Run(SystemRuleset(), new SandboxStartInfo("/bin/true") { WorkingDirectory = "/no/such/dir" }));
        Assert.Equal("WorkingDirectoryNotFound", e.ErrorId);
    }

    [Fact]
    public void NulInAnArgumentIsRefused()
    {
        var e = Assert.Throws<LandlockException>(() => Run(SystemRuleset(), "/bin/echo", "a\0b"));
        Assert.Equal("InvalidLaunchArgument", e.ErrorId);
    }

    [Fact]
    public void TheAdviceForADeniedProgramNamesReadFileAndExecute()
    {
        var rs = new LandlockRuleset();
        rs.AddPathRule("/usr/bin/true", LandlockAccessFs.Execute);
        var e = Assert.Throws<LandlockException>(() => Run(rs, "/usr/bin/true"));
        Assert.Contains("ReadFile and Execute", e.Message);
    }

    [Fact]
    public void ADeniedExecutionTheRulesetDoesNotHandleIsNotBlamedOnIt()
    {
        var e = LaunchChecks.ForFailedStep(LaunchStep.Spawn, LandlockPS.Core.Native.Errno.EACCES,
            new SandboxStartInfo("/usr/bin/true"), LandlockAccessFs.WriteFile);
        Assert.Equal("ExecutableNotAllowed", e.ErrorId);
        Assert.Contains("not by the ruleset", e.Message);
        Assert.Contains("noexec", e.Message);
    }

    [Fact]
    public void ARulesetTheKernelCannotEnforceIsRefusedUnlessAllowed()
    {
        // A network-only ruleset capped below ABI 4 enforces nothing.
        var rs = new LandlockRuleset(handledAccessFs: LandlockAccessFs.None, scope: LandlockScope.None);
        using CompiledRuleset probe = RulesetCompiler.Compile(rs, LandlockSupport.Query(3));
        Assert.Equal(EnforcementStatus.NotEnforced, probe.Report.Status);
        var e = Assert.Throws<LandlockException>(() => LaunchChecks.RequireEnforcement(probe.Report, allowUnconfined: false));
        Assert.Equal("RulesetNotEnforced", e.ErrorId);
        // Core names its own setting; the cmdlet layer names the parameter, keeping the exception's type and id.
        Assert.Equal(LandlockRemedy.AllowUnconfined, e.Remedy);
        Assert.EndsWith("Set SandboxStartInfo.AllowUnconfined to start it unconfined anyway.", e.Message);
        System.Management.Automation.ErrorRecord record = ErrorHelper.FromException(e, null);
        Assert.Same(e.GetType(), record.Exception.GetType());
        Assert.Equal(e.Reason + " Pass -AllowUnconfined to run it unconfined anyway.", record.Exception.Message);
        Assert.StartsWith("RulesetNotEnforced", record.FullyQualifiedErrorId);
        LaunchChecks.RequireEnforcement(probe.Report, allowUnconfined: true);
    }
}
