namespace LandlockPS.Core.Dependencies;

/// <summary>
/// Where the name of a dependency came from, as far as trust goes. A trusted name was chosen by
/// the caller, or by a file no sandbox could have written. Otherwise <see cref="Place"/> is the file
/// a sandbox could have written to choose it, named in the warning when the name is not followed:
/// an untrusted name only leads to a file the sandbox learns nothing from.
/// </summary>
internal readonly record struct Provenance(string? Place)
{
    /// <summary>A name the caller, or a file only root or this user could write, chose.</summary>
    public static Provenance Trusted => new(null);
}
