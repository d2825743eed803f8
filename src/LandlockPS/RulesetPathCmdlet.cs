using System;
using System.Collections.Generic;
using System.Management.Automation;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;

namespace LandlockPS;

/// <summary>
/// What every cmdlet that applies filesystem rights of a ruleset to paths shares: the ruleset (piped),
/// -Path (wildcards) or -LiteralPath (from piped items' PSPath), and -Access.
/// </summary>
public abstract class RulesetPathCmdlet : PSCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [RulesetTransformation]
    [ValidateRuleset]
    public LandlockRuleset Ruleset { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public LandlockAccessFs[] Access { get; set; } = null!;

    /// <summary>The paths as the user gave them, and whether they are literal.</summary>
    protected (string[] Inputs, bool Literal) PathInputs =>
        ParameterSetName == LiteralPathSet ? (LiteralPath, true) : (Path, false);

    /// <summary>How this cmdlet makes one input absolute: the PowerShell way (<see cref="PathResolver.Resolve"/>) unless it says otherwise.</summary>
    protected virtual IReadOnlyList<string> ResolveInput(string input, bool literal) => PathResolver.Resolve(this, input, literal);

    /// <summary>Resolves -Access with <paramref name="resolve"/>; a value that does not fit stops the whole call.</summary>
    protected LandlockAccessFs ResolveAccess(Func<LandlockAccessFs> resolve)
    {
        try
        {
            return resolve();
        }
        catch (LandlockException e)
        {
            ThrowTerminatingError(ErrorHelper.FromException(e, Access));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    /// <summary>
    /// One input as absolute paths (see <see cref="ResolveInput"/>). A non-FileSystem path is
    /// reported here and gives null; a wildcard that matches nothing gives none, for the caller to report.
    /// </summary>
    protected IReadOnlyList<string>? ResolvePaths(string input, bool literal) =>
        PathResolver.ReportingBadInput(this, input, () => ResolveInput(input, literal));
}
