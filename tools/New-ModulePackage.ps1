<#
.SYNOPSIS
    Lays the built module out as it ships and publishes it, as a .nupkg, to a local file repository.
.DESCRIPTION
    Run after a build (build.ps1 -Task Package does both). Stages <OutPath>/package/LandlockPS (the
    manifest, the LandlockPS/ payload of assemblies and views, every file of the compiled en-US/ help,
    LICENSE and README.md: nothing else), then publishes it with Microsoft.PowerShell.PSResourceGet
    into <OutPath>/repo, which is emptied first. Writes the path of the .nupkg.

    PSResourceGet keeps its repositories in a per-user file. The publish runs in a fresh pwsh with a
    throwaway home (tools/Invoke-PwshWithScratchHome.ps1), so the registration it needs lives and
    dies there and the user's own list of repositories is never read or written.
.PARAMETER ModuleRoot
    The folder holding LandlockPS.psd1 and the build output (LandlockPS/, en-US/): the repository root.
.PARAMETER OutPath
    Where package/ and repo/ go.
#>
[CmdletBinding()]
[OutputType([string])]
param(
    [Parameter(Mandatory)] [string] $ModuleRoot,
    [Parameter(Mandatory)] [string] $OutPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$name = 'LandlockPS'
$manifest = Join-Path $ModuleRoot "$name.psd1"
$payload = Join-Path $ModuleRoot $name
$help = Join-Path $ModuleRoot 'en-US'
if (-not (Test-Path (Join-Path $payload "$name.dll")) -or -not (Test-Path (Join-Path $help "$name.dll-Help.xml"))) {
    throw "No built module under $ModuleRoot (its assemblies or its compiled help are missing): run build.ps1 -Task Build first."
}

$stage = Join-Path $OutPath "package/$name"
$repository = Join-Path $OutPath 'repo'
foreach ($dir in $stage, $repository) {
    if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
    New-Item -ItemType Directory -Path $dir | Out-Null
}

# The payload is what the build made (assemblies) and what the manifest loads (views); the help is
# whatever the build compiled into en-US/ (cmdlet MAML and about_ topics alike).
Copy-Item $manifest, (Join-Path $ModuleRoot 'LICENSE'), (Join-Path $ModuleRoot 'README.md') -Destination $stage
New-Item -ItemType Directory -Path (Join-Path $stage $name) | Out-Null
Get-ChildItem $payload -File | Where-Object Extension -In '.dll', '.ps1xml' |
    Copy-Item -Destination (Join-Path $stage $name)
Copy-Item $help -Destination $stage -Recurse

$scratch = Join-Path ([IO.Path]::GetTempPath()) "landlockps-package-$([guid]::NewGuid().ToString('N'))"
try {
    & (Join-Path $PSScriptRoot 'Invoke-PwshWithScratchHome.ps1') -ScratchHome $scratch -ArgumentList $stage, $repository -ScriptBlock {
        param([string] $Stage, [string] $Repository)
        $ErrorActionPreference = 'Stop'
        Register-PSResourceRepository -Name LandlockPSPackage -Uri $Repository -Trusted
        try {
            Publish-PSResource -Path $Stage -Repository LandlockPSPackage
        } finally {
            Unregister-PSResourceRepository -Name LandlockPSPackage
        }
    } | Out-Null
} finally {
    Remove-Item $scratch -Recurse -Force -ErrorAction Ignore
}

$version = (Import-PowerShellDataFile $manifest).ModuleVersion
$package = Join-Path $repository "$name.$version.nupkg"
if (-not (Test-Path $package)) { throw "Publishing succeeded but $package is missing." }
$package
