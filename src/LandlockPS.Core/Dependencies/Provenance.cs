namespace LandlockPS.Core.Dependencies;

/// <summary>
/// Where the name of a dependency came from, as far as trust goes. A trusted name was chosen by
/// the caller, or by a file no sandbox could have written. Otherwise <see cref="Place"/> is the file
/// a sandbox could have written to choose it, named in the warning when the name is not followed:
/// an untrusted name only leads to a file the sandbox learns nothing from; <see cref="Why"/> says why
/// that file is not trusted, when not for <see cref="MayBeWritten"/>.
/// </summary>
internal readonly record struct Provenance(string? Place, string? Why = null)
{
    /// <summary>Why a place is not trusted, mostly: a sandbox may write it, or its folder.</summary>
    public const string MayBeWritten = "which a sandbox could have written";

    /// <summary>A name the caller, or a file only root or this user could write, chose.</summary>
    public static Provenance Trusted => new(null);
}
