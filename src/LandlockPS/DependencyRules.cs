using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using LandlockPS.Core.Dependencies;
using LandlockPS.Core.Landlock;

namespace LandlockPS;

/// <summary>
/// The rules a program needs to start (Invoke-Sandboxed -AllowDependencies, Add-LandlockPathRule
/// -Executable): one resolution, its problems as warnings (each once per command), its rules with the reason for each.
/// </summary>
internal static class DependencyRules
{
    // The warnings each command has written: resolving a program for each ruleset piped into one call
    // finds the same problems again, and a user should read each once.
    private static readonly ConditionalWeakTable<PSCmdlet, HashSet<string>> Warned = new();

    /// <summary>
    /// What <paramref name="program"/> needs when it runs with <paramref name="environment"/>, under
    /// <paramref name="ruleset"/>; what cannot be found, or is not trusted, becomes a warning (the
    /// program may still start, or fail then).
    /// </summary>
    /// <exception cref="Core.LandlockException">DependencyResolutionFailed, when the resolution failed as a whole.</exception>
    internal static ProgramDependencies Resolve(PSCmdlet cmdlet, string program, IReadOnlyDictionary<string, string> environment, LandlockRuleset ruleset)
    {
        ProgramDependencies dependencies = ProgramDependencies.Resolve(program, environment, ruleset);
        foreach (string problem in dependencies.Problems) WarnOnce(cmdlet, problem);
        return dependencies;
    }

    /// <summary>
    /// Allows every file of <paramref name="dependencies"/> in <paramref name="ruleset"/>, as far as
    /// it handles the rights (a right it does not handle is not restricted anyway); returns the rules
    /// added. Rules by path, for a ruleset that outlives the call (-Executable, <paramref name="keptByPath"/>)
    /// and for what the caller is shown; a launch builds them on the files themselves (<see cref="Hold"/>).
    /// A rule kept by path is opened by path at every later launch, so a file a sandbox could swap
    /// for a link gets none then: it is left out with a warning.
    /// </summary>
    internal static IReadOnlyList<LandlockPathRule> Add(PSCmdlet cmdlet, LandlockRuleset ruleset, ProgramDependencies dependencies, bool keptByPath = false)
    {
        var added = new List<LandlockPathRule>();
        foreach (DependencyFile file in dependencies.Files)
        {
            if (keptByPath && file.Swappable)
            {
                WarnOnce(cmdlet, $"Not allowing {file.Path} ({file.Reason}): it lies where a sandbox could swap it for a link, and a rule kept in the ruleset " +
                    "would follow that link at a later launch. Run the program with Invoke-Sandboxed -AllowDependencies instead, which holds the file itself at launch.");
                continue;
            }
            LandlockAccessFs granted = ruleset.AddPathRuleWithin(file.Path, file.Access, isDirectory: false);
            if (granted != LandlockAccessFs.None)
            {
                added.Add(new LandlockPathRule(file.Path, granted));
                cmdlet.WriteVerbose($"Allowing {AccessText.Format(granted, ruleset.HandledAccessFs)} on {file.Path}: {file.Reason}.");
            }
        }
        return added;
    }

    // Once per command, not per session as SessionWarnings: a later call is about a program that may have changed.
    private static void WarnOnce(PSCmdlet cmdlet, string message)
    {
        if (Warned.GetOrCreateValue(cmdlet).Add(message)) cmdlet.WriteWarning(message);
    }

    /// <summary>
    /// The <paramref name="rules"/> built on the files themselves, each opened now without following a
    /// link anywhere on its path: a program run from a folder a sandbox may write could otherwise have
    /// its name swapped for a link, and its rule (ReadFile, Execute) land on what the link points to.
    /// A path through a link (a library's name) gets no rule: the file's real path, also among the
    /// rules, covers it. The caller disposes the handles once the child has started.
    /// </summary>
    internal static IReadOnlyList<HeldPathRule> Hold(IEnumerable<LandlockPathRule> rules) =>
        rules.Select(r => HeldPathRule.OnPlainFile(r.Path, r.Access)).OfType<HeldPathRule>().ToArray();
}
