<#
.SYNOPSIS
    Runs a script block in a fresh pwsh whose user folders are a throwaway one; writes what it outputs.
.DESCRIPTION
    PSResourceGet keeps its list of repositories under XDG_DATA_HOME, its NuGet settings under
    XDG_CONFIG_HOME, and installs CurrentUser modules under HOME. With all of them (and the working
    directory, where .NET falls back to when a user folder is missing) in -ScratchHome, whatever
    the script block registers or installs lives and dies there (its temporary files too: TMPDIR,
    where Update-Help leaves the folder it unpacks into), and PSModulePath holds only the
    modules that ship with pwsh: the user's own repositories, settings and modules are never read
    or written. The caller's environment and location are put
    back afterwards. Throws when the script block fails.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ScratchHome,
    [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
    [object[]] $ArgumentList = @()
)

$ErrorActionPreference = 'Stop'
$folders = [ordered]@{ XDG_DATA_HOME = '.local/share'; XDG_CONFIG_HOME = '.config'; XDG_CACHE_HOME = '.cache'; TMPDIR = 'tmp' }
$saved = @{ HOME = $env:HOME; PSModulePath = $env:PSModulePath }
foreach ($variable in $folders.Keys) { $saved[$variable] = [Environment]::GetEnvironmentVariable($variable) }
New-Item -ItemType Directory -Path $ScratchHome -Force | Out-Null
Push-Location -LiteralPath $ScratchHome
try {
    $env:HOME = $ScratchHome
    foreach ($variable in $folders.Keys) {
        $folder = New-Item -ItemType Directory -Path (Join-Path $ScratchHome $folders[$variable]) -Force
        [Environment]::SetEnvironmentVariable($variable, $folder.FullName)
    }
    # Only the modules that ship with pwsh: a PSResourceGet the user installed must not stand in for it.
    $env:PSModulePath = Join-Path $PSHOME 'Modules'
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $ScriptBlock -args $ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "The script block failed in a fresh pwsh (exit code $LASTEXITCODE)." }
} finally {
    foreach ($variable in $saved.Keys) { [Environment]::SetEnvironmentVariable($variable, $saved[$variable]) }
    Pop-Location
}
