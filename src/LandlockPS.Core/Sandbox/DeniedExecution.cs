using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Dependencies;
using LandlockPS.Core.Errors;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// Names what a ruleset denies of a program's exec chain (the program, its #! interpreter, its ELF
/// interpreter: each file the kernel opens to execute it, and each needs ReadFile and Execute),
/// judged as Test-LandlockAccess judges a path, with the rules that would allow it. So a launch that
/// fails blames the file actually missing, such as the ELF interpreter under /lib64, not the program.
/// </summary>
internal static class DeniedExecution
{
    private const LandlockAccessFs ToExecute = LandlockAccessFs.ReadFile | LandlockAccessFs.Execute;
    // The kernel follows #! four deep; an ELF interpreter may end the chain.
    private const int ChainLimit = 5;

    /// <summary>
    /// The error naming what is denied, or null when the ruleset allows the whole chain (then something
    /// else refused it). With the program's <paramref name="dependencies"/> (their rules among the
    /// ruleset's), a denied file they left out is named with why.
    /// </summary>
    internal static LandlockException? Explain(string program, LandlockRuleset ruleset, ProgramDependencies? dependencies = null)
    {
        var denied = new List<(string Role, LandlockAccessExplanation Verdict)>();
        LandlockSupport support = LandlockSupport.Query();
        string? next = program;
        string role = "the program";
        for (int depth = 0; next is string file && depth < ChainLimit; depth++)
        {
            LandlockAccessExplanation verdict = AccessExplainer.Explain(ruleset, file, file, ToExecute, support);
            if (!verdict.Allowed) denied.Add((role, verdict));
            (next, role) = ExecutableInspector.ReadShebang(file) is { } shebang
                ? (shebang.Interpreter, "its #! interpreter")
                : (ElfImage.TryReadInterpreter(file), "its ELF interpreter");
        }
        if (denied.Count == 0) return null;
        string where = string.Join("; and ", denied.Select(d => $"{AccessText.FormatFlags(d.Verdict.DeniedAccess)} on {d.Role} {Describe(d.Verdict)}"));
        string fixes = string.Join("; ", denied.SelectMany(d => d.Verdict.Fixes));
        string leftOut = string.Concat(denied.Select(d => LeftOut(d.Verdict, dependencies)).OfType<string>().Distinct().Select(why => $" {why}"));
        return new LandlockException(
            $"Executing {program} needs ReadFile and Execute on the program and on each interpreter it starts through; " +
            $"the ruleset denies {where}. To allow it: {fixes}. The libraries it loads need ReadFile too.{leftOut}",
            "posix_spawn", Errno.EACCES, "ExecutableNotAllowed") { Remedy = RemedyFor(dependencies) };
    }

    /// <summary>What gets past a denied exec: resolving the program's dependencies, unless they were, and left out what is denied.</summary>
    internal static LandlockRemedy RemedyFor(ProgramDependencies? dependencies) =>
        dependencies is null ? LandlockRemedy.AllowDependencies : LandlockRemedy.AllowLeftOutDependencies;

    // Why the resolution gave a denied file no rule, by the name the chain gives it or where that leads.
    private static string? LeftOut(LandlockAccessExplanation verdict, ProgramDependencies? dependencies) =>
        dependencies is null ? null
        : dependencies.LeftOut.GetValueOrDefault(verdict.FullPath) ?? dependencies.LeftOut.GetValueOrDefault(verdict.RealPath);

    // The path as the chain names it, and the file the kernel meets when a link leads elsewhere.
    private static string Describe(LandlockAccessExplanation verdict) =>
        verdict.RealPath == verdict.FullPath ? verdict.FullPath : $"{verdict.FullPath} (the file {verdict.RealPath})";
}
