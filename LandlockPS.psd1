@{
    RootModule           = 'LandlockPS/LandlockPS.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1d2c8e-4b7a-4c1e-9d3f-2a5b8e7c9d10'
    Author               = 'LandlockPS contributors'
    CompanyName          = 'LandlockPS'
    Copyright            = '(c) LandlockPS contributors. MIT License.'
    Description          = 'Linux Landlock sandboxing for PowerShell: build rulesets as objects and run programs and script blocks confined, while your own shell stays unconfined.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('LandlockPS/LandlockPS.format.ps1xml')
    TypesToProcess       = @('LandlockPS/LandlockPS.types.ps1xml')
    # The help ships in en-US/. build.ps1 -Task Package writes it as Update-Help takes it (out/help/),
    # to publish here, so Update-Help -Module LandlockPS installs it or finds it current.
    HelpInfoURI          = 'https://raw.githubusercontent.com/landlockps/LandlockPS/main/'
    CmdletsToExport      = @(
        'Add-LandlockNetRule'
        'Add-LandlockPathRule'
        'ConvertTo-LandlockRuleset'
        'Export-LandlockRuleset'
        'Get-LandlockAbi'
        'Get-LandlockProfile'
        'Get-LandlockSessionDenial'
        'Import-LandlockRuleset'
        'Invoke-Sandboxed'
        'New-LandlockRuleset'
        'New-LandlockSession'
        'Test-LandlockAccess'
        'Test-LandlockRuleset'
        'Trace-LandlockAccess'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Landlock', 'Sandbox', 'Security', 'Linux', 'LSM', 'Confinement', 'PSEdition_Core')
            LicenseUri   = 'https://github.com/landlockps/LandlockPS/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/landlockps/LandlockPS'
            ReleaseNotes = @'
0.1.0, the first release:
- New-LandlockRuleset (with -Profile), Add-LandlockPathRule, Add-LandlockNetRule: rulesets as objects, for Landlock ABI V1 to V10.
- Invoke-Sandboxed runs a program or a script block in a confined child process (-AllowDependencies finds what a program loads); New-LandlockSession gives a PSSession to a confined pwsh.
- Get-LandlockProfile lists the documented rule bundles New-LandlockRuleset -Profile starts from.
- New-LandlockSession -ExplainDenials observes a session for its whole life; Get-LandlockSessionDenial lists what its ruleset denied, with the fixes, and Remove-PSSession shows them once.
- Test-LandlockRuleset and Test-LandlockAccess report what the kernel would enforce and why a path is allowed or denied.
- Import-/Export-LandlockRuleset read and write landlockconfig policies in JSON and TOML.
- Get-LandlockAbi reports the kernel's Landlock ABI and errata.
'@
        }
    }
}
