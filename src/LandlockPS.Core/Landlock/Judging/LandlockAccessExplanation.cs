using System.Collections.Generic;
using System.Linq;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// Whether a ruleset lets a confined process use a path in the requested ways, right by right, with
/// the rules that grant each right and, when something is denied, the rule that would fix it.
/// </summary>
public sealed class LandlockAccessExplanation
{
    internal LandlockAccessExplanation(string path, AccessTarget target, LandlockAccessFs requested, LandlockAccessFs handled,
        IReadOnlyList<LandlockRightVerdict> rights, IReadOnlyList<LandlockAccessFix> fixes)
    {
        Path = path;
        FullPath = target.FullPath;
        RealPath = target.RealPath;
        Type = target.Type;
        RequestedAccess = requested;
        RulesetHandledAccessFs = handled;
        Rights = rights;
        Notes = target.Notes;
        Fixes = fixes;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>The path made absolute against the PowerShell location.</summary>
    public string FullPath { get; }

    /// <summary>What the kernel meets: <see cref="FullPath"/> with every symlink resolved.</summary>
    public string RealPath { get; }

    /// <summary>What the path is: a file, a directory, or missing.</summary>
    public LandlockPathType Type { get; }

    /// <summary>The rights asked about.</summary>
    public LandlockAccessFs RequestedAccess { get; }

    /// <summary>The filesystem rights the ruleset handles: what the group names in the views are relative to.</summary>
    public LandlockAccessFs RulesetHandledAccessFs { get; }

    /// <summary>True when no requested right is denied.</summary>
    public bool Allowed => DeniedAccess == LandlockAccessFs.None;

    /// <summary>The requested rights Landlock denies: what is missing.</summary>
    public LandlockAccessFs DeniedAccess => RightsWith(LandlockAccessVerdict.Denied);

    /// <summary>The requested rights the ruleset does not handle, which Landlock therefore never restricts.</summary>
    public LandlockAccessFs UnhandledAccess => RightsWith(LandlockAccessVerdict.Unhandled);

    /// <summary>One verdict per requested right, in bit order.</summary>
    public IReadOnlyList<LandlockRightVerdict> Rights { get; }

    /// <summary>What shaped the answer: symlinks followed, paths that do not exist, rule paths that are gone.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>What would allow what is denied, one fix per place where something is denied; empty when nothing is.</summary>
    public IReadOnlyList<LandlockAccessFix> Fixes { get; }

    /// <summary>
    /// The answer with its reasons and fixes: the verdict on one line, then why, right by right (rights
    /// with the same reason together), what shaped the answer, and each fix on a line of its own, in
    /// the words <paramref name="renderFix"/> gives it (by default, <see cref="LandlockAccessFix.ToString"/>).
    /// </summary>
    public string Explain(System.Func<LandlockAccessFix, string>? renderFix = null)
    {
        const string Indent = "  ";
        var lines = new List<string> { $"{(Allowed ? "Allowed" : "Denied")}: {AccessText.Format(RequestedAccess, RulesetHandledAccessFs)} on {FullPath} ({Type})" };
        foreach (IGrouping<(LandlockAccessVerdict, string), LandlockRightVerdict> reason in Rights.GroupBy(r => (r.Verdict, r.Reason)))
        {
            lines.Add($"{Indent}{string.Join(", ", reason.Select(r => r.Right))}: {reason.Key.Item2}");
        }
        lines.AddRange(Notes.Select(note => $"{Indent}Note: {note}"));
        lines.AddRange(Fixes.Select(fix => $"{Indent}Fix: {renderFix?.Invoke(fix) ?? fix.ToString()}"));
        return string.Join("\n", lines);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{(Allowed ? "Allowed" : "Denied")}: {AccessText.Format(RequestedAccess, RulesetHandledAccessFs)} on {FullPath}";

    private LandlockAccessFs RightsWith(LandlockAccessVerdict verdict) =>
        Rights.Where(r => r.Verdict == verdict).Aggregate(LandlockAccessFs.None, (all, r) => all | r.Right);
}
