using System.Collections.Generic;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Policy;

/// <summary>
/// What a landlockconfig file means, before its paths are looked up: the handled rights (as declared
/// plus those the rules use), the variables, and the rules keyed by their path template and port.
/// </summary>
internal sealed class LandlockPolicy
{
    public required string File { get; init; }

    /// <summary>The top-level abi, if the file pins one.</summary>
    public int? Abi { get; set; }

    public LandlockAccessFs HandledAccessFs { get; set; }

    public LandlockAccessNet HandledAccessNet { get; set; }

    public LandlockScope Scope { get; set; }

    public Dictionary<string, SortedSet<string>> Variables { get; } = new(System.StringComparer.Ordinal);

    private readonly Dictionary<string, int> _pathIndex = new(System.StringComparer.Ordinal);

    /// <summary>Rules by path template, in file order (see <see cref="AddPathRule"/>).</summary>
    public List<(PolicyTemplate Template, LandlockAccessFs Access, PolicyLocation? Location)> PathRules { get; } = [];

    /// <summary>Rules by port, in file order; a port given twice unions its rights.</summary>
    public OrderedDictionary<int, LandlockAccessNet> NetRules { get; } = [];

    /// <summary>Adds a rule; a template given twice unions its rights and keeps its first place.</summary>
    public void AddPathRule(PolicyTemplate template, LandlockAccessFs access, PolicyLocation? location)
    {
        if (_pathIndex.TryGetValue(template.Source, out int at))
        {
            PathRules[at] = (PathRules[at].Template, PathRules[at].Access | access, PathRules[at].Location);
            return;
        }
        _pathIndex[template.Source] = PathRules.Count;
        PathRules.Add((template, access, location));
    }
}
