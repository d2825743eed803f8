namespace LandlockPS.Core.Errors;

/// <summary>
/// A setting that would get past an error (<see cref="LandlockException.Remedy"/>), as data: the
/// message names it in this library's terms, and a front end can name it in its own (the
/// PowerShell module names its parameter) with <see cref="LandlockException.WithRemedyText"/>.
/// </summary>
public enum LandlockRemedy
{
    /// <summary>No setting: the message says what to do.</summary>
    None,

    /// <summary>Start the child even though the kernel enforces nothing of the ruleset (<c>SandboxStartInfo.AllowUnconfined</c>).</summary>
    AllowUnconfined,

    /// <summary>Let the child keep the caller's capabilities (<c>SandboxStartInfo.KeepCapabilities</c>).</summary>
    KeepCapabilities,

    /// <summary>Add rules for every file a program needs to start (<c>ProgramDependencies</c>).</summary>
    AllowDependencies,

    /// <summary>
    /// Add path rules of the caller's own for files a program's resolved dependencies left out, where
    /// the caller trusts them (<c>ProgramDependencies.LeftOut</c> says why each was).
    /// </summary>
    AllowLeftOutDependencies,

    /// <summary>Make the ruleset for another Landlock ABI (<c>LandlockRuleset.Abi</c>).</summary>
    ChooseAbi,
}
