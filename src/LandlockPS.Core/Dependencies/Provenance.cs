namespace LandlockPS.Core.Dependencies;

/// <summary>
/// Where the name of a dependency came from, as far as trust goes. A trusted name was chosen by
/// the caller, or by a file no sandbox could have written. Otherwise <see cref="Place"/> is the file
/// or link a sandbox could have written to choose it: the name may only lead somewhere no more
/// private than that place, since a sandbox able to write there could read nothing better anyway.
/// </summary>
internal readonly record struct Provenance(string? Place)
{
    /// <summary>A name the caller, or a file only root or this user could write, chose.</summary>
    public static Provenance Trusted => new(null);
}
