namespace LandlockPS.Core.Landlock;

/// <summary>
/// The named rule bundles LandlockPS ships (see <c>LandlockProfiles</c>). An enum, so a
/// misspelt name fails at binding and PowerShell completes the names.
/// </summary>
public enum LandlockProfileName
{
    /// <summary>Run the system's programs: program and library trees, loader and user database files, harmless devices.</summary>
    SystemReadOnly,
    /// <summary>Read all of /etc.</summary>
    SystemConfig,
    /// <summary>Read /proc.</summary>
    ProcessInfo,
    /// <summary>Resolve names and connect to DNS, HTTP and HTTPS ports, with the files TLS needs.</summary>
    WebClient,
    /// <summary>Read and write the machine-wide temporary directories.</summary>
    SharedTemp,
}
