namespace LandlockPS;

/// <summary>Where Invoke-Sandboxed sends the child's standard error lines.</summary>
public enum StandardErrorMode
{
    /// <summary>Shown on the host like Write-Host, never an error; capture it with 6>&amp;1 or -InformationVariable.</summary>
    Host,
    /// <summary>Non-terminating ErrorRecords (NativeStandardError): 2>&amp;1 and -ErrorVariable capture them; -ErrorAction applies.</summary>
    Error,
    /// <summary>Merged into the output as strings, in the order they arrive.</summary>
    Output,
}
