namespace LandlockPS.Core.Policy;

/// <summary>Where something in a policy comes from: its file (or "&lt;stdin&gt;") and, where the parser has it, the line and column.</summary>
public readonly record struct PolicyOrigin(string File, PolicyLocation? Location)
{
    /// <inheritdoc/>
    public override string ToString() => Location is { } at ? $"{File} ({at})" : File;
}

/// <summary>
/// Something the importer has to tell about a policy (a rule left out, a path skipped), with where it
/// comes from when one place does. The cmdlets write these as verbose or warning messages.
/// </summary>
public sealed record PolicyNote(PolicyOrigin? Origin, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => Origin is { } origin ? $"{origin}: {Message}" : Message;
}
