<#
.SYNOPSIS
    Packs LandlockPS.Core, the module's .NET library, as LandlockPS.Core.<version>.nupkg.
.DESCRIPTION
    The version is the module manifest's ModuleVersion, so the library and the module always ship
    as one release. The package holds the assembly, its XML API documentation and the README for
    .NET users (src/LandlockPS.Core/README.md); its dependencies are the library's own packages.
    Writes the path of the .nupkg.
.PARAMETER ModuleRoot
    The repository root (holding LandlockPS.psd1 and src/).
.PARAMETER OutPath
    Where the .nupkg goes (emptied of older LandlockPS.Core packages first).
.PARAMETER Configuration
    Debug or Release.
#>
[CmdletBinding()]
[OutputType([string])]
param(
    [Parameter(Mandatory)] [string] $ModuleRoot,
    [Parameter(Mandatory)] [string] $OutPath,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$version = (Import-PowerShellDataFile (Join-Path $ModuleRoot 'LandlockPS.psd1')).ModuleVersion
New-Item -ItemType Directory -Path $OutPath -Force | Out-Null
Get-ChildItem $OutPath -Filter 'LandlockPS.Core.*.nupkg' | Remove-Item -Force
dotnet pack (Join-Path $ModuleRoot 'src/LandlockPS.Core/LandlockPS.Core.csproj') -c $Configuration -o $OutPath --nologo -v quiet "-p:Version=$version"
if ($LASTEXITCODE -ne 0) { throw "dotnet pack failed (exit code $LASTEXITCODE)." }
$package = Join-Path $OutPath "LandlockPS.Core.$version.nupkg"
if (-not (Test-Path $package)) { throw "dotnet pack succeeded but $package is missing." }
$package
