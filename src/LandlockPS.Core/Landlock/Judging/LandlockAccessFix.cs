namespace LandlockPS.Core.Landlock;

/// <summary>
/// What would allow a denied access, as data for a front end to render (the PowerShell module renders
/// it as the Add-LandlockPathRule call to paste): a rule granting <see cref="Access"/> on
/// <see cref="Path"/>; or, when <see cref="Path"/> is null, handling <see cref="Access"/> in the
/// ruleset first (Refer, which a ruleset must handle before any rule can grant it).
/// </summary>
/// <param name="Access">The rights to grant (or to handle first).</param>
/// <param name="Path">The file or directory the rule would name; null when the ruleset must handle the rights first.</param>
public sealed record LandlockAccessFix(LandlockAccessFs Access, string? Path)
{
    /// <summary>True when the ruleset must handle <see cref="Access"/> before a rule can grant it.</summary>
    public bool HandleFirst => Path is null;

    /// <summary>The fix in words, for messages that name no tool.</summary>
    public override string ToString() => HandleFirst
        ? $"handle {AccessText.FormatFlags(Access)} in the ruleset (ABI V2 or newer), then allow it on the directories a file moves between"
        : $"allow {AccessText.FormatFlags(Access)} on '{Path}'";
}
