<#
.SYNOPSIS
    Writes the built module's help as Update-Help takes it; writes the paths of the files.
.DESCRIPTION
    Run after a build. The help ships inside the module (en-US/), and the manifest's HelpInfoURI says
    where these files are published: <Name>_<GUID>_HelpInfo.xml, which names each culture's help and
    its version (the module's), and one <Name>_<GUID>_<culture>_HelpContent.zip per culture (the
    format pwsh on Linux and macOS fetches). With them published, Update-Help -Module LandlockPS
    installs the help, or finds it current; offline, Update-Help -SourcePath <OutPath> does the same.
.PARAMETER ModuleRoot
    The folder holding LandlockPS.psd1 and the compiled help (en-US/): the repository root.
.PARAMETER OutPath
    Where the files go (created if need be).
#>
[CmdletBinding()]
[OutputType([string])]
param(
    [Parameter(Mandatory)] [string] $ModuleRoot,
    [Parameter(Mandatory)] [string] $OutPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$manifest = Import-PowerShellDataFile (Join-Path $ModuleRoot 'LandlockPS.psd1')
$prefix = "LandlockPS_$($manifest.GUID)"
# Update-Help compares four-part versions.
$module = [version]$manifest.ModuleVersion
$version = [version]::new($module.Major, $module.Minor, [Math]::Max($module.Build, 0), [Math]::Max($module.Revision, 0))
$cultures = @(Get-ChildItem $ModuleRoot -Directory | Where-Object {
        $_.Name -match '^[a-z]{2}-[A-Z]{2}$' -and (Test-Path (Join-Path $_.FullName 'LandlockPS.dll-Help.xml'))
    })
if (-not $cultures) { throw "No compiled help under $ModuleRoot (en-US/LandlockPS.dll-Help.xml): run build.ps1 -Task Build first." }

$null = New-Item -ItemType Directory -Path $OutPath -Force
foreach ($culture in $cultures) {
    $zip = Join-Path $OutPath "${prefix}_$($culture.Name)_HelpContent.zip"
    Compress-Archive -Path (Join-Path $culture.FullName '*') -DestinationPath $zip -Force
    $zip
}

$helpInfo = Join-Path $OutPath "${prefix}_HelpInfo.xml"
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true }
$writer = [System.Xml.XmlWriter]::Create($helpInfo, $settings)
try {
    $ns = 'http://schemas.microsoft.com/powershell/help/2010/05'
    $writer.WriteStartElement('HelpInfo', $ns)
    $writer.WriteElementString('HelpContentURI', $ns, $manifest.HelpInfoURI)
    $writer.WriteStartElement('SupportedUICultures', $ns)
    foreach ($culture in $cultures) {
        $writer.WriteStartElement('UICulture', $ns)
        $writer.WriteElementString('UICultureName', $ns, $culture.Name)
        $writer.WriteElementString('UICultureVersion', $ns, $version.ToString())
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteEndElement()
} finally {
    $writer.Dispose()
}
$helpInfo
