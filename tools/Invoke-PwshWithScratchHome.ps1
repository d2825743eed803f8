<#
.SYNOPSIS
    Runs a script block in a fresh pwsh whose user folders are a throwaway one; writes what it outputs.
.DESCRIPTION
    PSResourceGet keeps its list of repositories under XDG_DATA_HOME and installs CurrentUser modules
    under HOME. With both pointed at -ScratchHome, whatever the script block registers or installs
    lives and dies there: the user's own repositories and modules are never read or written. The
    caller's environment is put back afterwards. Throws when the script block fails.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ScratchHome,
    [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
    [object[]] $ArgumentList = @()
)

$ErrorActionPreference = 'Stop'
$saved = $env:HOME, $env:XDG_DATA_HOME
try {
    $env:HOME = $ScratchHome
    $env:XDG_DATA_HOME = Join-Path $ScratchHome '.local/share'
    New-Item -ItemType Directory -Path $env:XDG_DATA_HOME -Force | Out-Null
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $ScriptBlock -args $ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "The script block failed in a fresh pwsh (exit code $LASTEXITCODE)." }
} finally {
    $env:HOME, $env:XDG_DATA_HOME = $saved
}
