using System.Collections.Generic;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// What to start in the sandbox: the program, its arguments, where, and with which environment. A
/// record, so a variant for one launch is a copy with <c>with</c>, where no setting can be forgotten.
/// </summary>
/// <param name="FilePath">The absolute path of the program to execute.</param>
public sealed record SandboxStartInfo(string FilePath)
{

    /// <summary>argv[0]; defaults to <see cref="FilePath"/>.</summary>
    public string? ArgumentZero { get; init; }

    /// <summary>The program's arguments, after its name.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The child's working directory (absolute).</summary>
    public string WorkingDirectory { get; init; } = "/";

    /// <summary>The child's whole environment. Null: no variables at all.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Give the child a pipe for standard input; otherwise it reads /dev/null.</summary>
    public bool RedirectStandardInput { get; init; }

    /// <summary>
    /// Give the child this pseudo-terminal as its standard input, output and error and its
    /// controlling terminal, instead of pipes; the caller owns it and relays it.
    /// </summary>
    public PseudoTerminal? Terminal { get; init; }

    /// <summary>Keep the caller's capabilities instead of starting the child with none.</summary>
    public bool KeepCapabilities { get; init; }

    /// <summary>Rules on files the caller holds open (a scratch home), added to the ruleset for this launch.</summary>
    public IReadOnlyList<HeldPathRule> HeldPathRules { get; init; } = [];

    /// <summary>
    /// The program's dependencies, when <see cref="HeldPathRules"/> hold the files they allow: a file of
    /// its exec chain still denied is then one they left out, and a refused launch says why instead of
    /// advising to resolve them.
    /// </summary>
    public Dependencies.ProgramDependencies? Dependencies { get; init; }

    /// <summary>Start the child even when the kernel enforces nothing of the ruleset.</summary>
    public bool AllowUnconfined { get; init; }

    /// <summary>
    /// Record what the child and every process it starts access (Trace-LandlockAccess, -ExplainDenials);
    /// null: the run is not traced, and its filter is what it would be anyway. One observer, one launch.
    /// </summary>
    public Observe.AccessObserver? Observer { get; init; }
}
