// Runs `cat /etc/hostname` twice, each time in a child confined by Landlock, while this process
// stays unconfined: first with a ruleset that lets programs run but reads nothing else (denied),
// then with one more rule that allows reading that file (allowed).
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;

// Landlock is Linux's: so is the library, and so is a program that uses it.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

const string Target = "/etc/hostname";

LandlockSupport kernel = LandlockSupport.Query();
Console.WriteLine($"Landlock: {kernel.Status}, ABI {kernel.EffectiveAbi?.ToString() ?? "none"} (kernel {kernel.KernelRelease})");
if (kernel.Status != LandlockAvailability.Available)
{
    Console.WriteLine(kernel.Reason);
    return 2;
}

// Pin the ABI: a ruleset then means the same with every version of the library (V1: files only).
LandlockRuleset RunPrograms()
{
    var ruleset = new LandlockRuleset(LandlockAbi.V1, name: "programs");
    foreach (string folder in new[] { "/usr", "/bin", "/lib", "/lib64" })
    {
        if (Directory.Exists(folder)) ruleset.AddPathRule(folder, LandlockAccessFs.ReadExecute & ruleset.HandledAccessFs);
    }
    return ruleset;
}

LandlockRuleset denied = RunPrograms();
LandlockRuleset allowed = RunPrograms();
allowed.AddPathRule(Target, LandlockAccessFs.ReadFile);

try
{
    Report("denied", denied);
    Report("allowed", allowed);
}
catch (LandlockException e)
{
    Console.WriteLine($"{e.ErrorId}: {e.Message}");
    return 1;
}
return 0;

static void Report(string label, LandlockRuleset ruleset)
{
    var start = new SandboxStartInfo("/bin/cat")
    {
        Arguments = [Target],
        Environment = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["LC_ALL"] = "C" },
    };
    using SandboxedProcess child = SandboxedProcess.Start(start, ruleset);
    var output = new StringBuilder();
    while (!child.IsOutputCompleted)
    {
        if (child.TryTakeOutput(out OutputChunk chunk, 10_000)) output.Append(Encoding.UTF8.GetString(chunk.Buffer, 0, chunk.Count));
    }
    child.WaitForExit();
    Console.WriteLine($"{label}: exit {child.ExitStatus!.ShellExitCode} ({child.Enforcement.Status}): {output.ToString().Trim()}");
}
