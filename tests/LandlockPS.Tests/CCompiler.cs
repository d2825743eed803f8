using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>The system C compiler, for tests that need a program of their own.</summary>
internal static class CCompiler
{
    internal static bool IsPresent { get; } = new[] { "/usr/bin/cc", "/bin/cc", "/usr/local/bin/cc" }.Any(File.Exists);

    /// <summary>Runs "cc <paramref name="arguments"/>" in <paramref name="directory"/>; throws with its errors when it fails.</summary>
    internal static void Run(string directory, string arguments)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", "cc " + arguments])
        {
            WorkingDirectory = directory,
            RedirectStandardError = true,
        };
        using Process cc = Process.Start(start) ?? throw new InvalidOperationException("Could not start cc.");
        string errors = cc.StandardError.ReadToEnd();
        cc.WaitForExit();
        if (cc.ExitCode != 0) throw new InvalidOperationException($"cc {arguments} failed (these tests need a C compiler):\n{errors}");
    }
}

/// <summary>A test that runs a program built with the system C compiler: skipped, saying why, where there is none.</summary>
public sealed class NeedsCompilerFactAttribute : FactAttribute
{
    public NeedsCompilerFactAttribute()
    {
        if (!CCompiler.IsPresent) Skip = "needs a C compiler (cc) to build its test program";
    }
}
