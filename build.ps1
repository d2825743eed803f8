#requires -Version 7.6
<#
.SYNOPSIS
    Builds, tests and demonstrates LandlockPS.
.DESCRIPTION
    Every task builds first. Run it through the pinned PowerShell tool:
        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
.PARAMETER Task
    Build: compile, lay the module out under ./LandlockPS and compile its help from docs/ into ./en-US
           (Import-Module ./LandlockPS.psd1 and Get-Help then work).
    Docs:  compile the help again from docs/, without rebuilding (after a Build).
    Test:  build, then run the xUnit and Pester suites; exits non-zero on any failure.
    Package: build, then stage the module as it ships under ./out/package/LandlockPS and publish it
           as a .nupkg to the local file repository ./out/repo (PSResourceGet; nothing is left
           registered), and pack the .NET library as ./out/nuget/LandlockPS.Core.<version>.nupkg
           (the same version), and write the help as Update-Help takes it into ./out/help (to publish
           at the manifest's HelpInfoURI). Prints the paths of both packages.
    Demo:  build, then show a confined run next to this session, in a fresh pwsh.
    Bench: build, then measure confined runs against unconfined baselines, side by side.
.PARAMETER Configuration
    Debug or Release (default).
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Docs', 'Test', 'Package', 'Demo', 'Bench')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$ModuleDir = Join-Path $Root 'LandlockPS'
$FreshPwsh = Join-Path $PSHOME 'pwsh'

function Invoke-Native {
    param([string] $What, [scriptblock] $Command)
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function Invoke-Build {
    $publish = Join-Path $Root "out/publish/$Configuration"
    Invoke-Native 'dotnet publish' {
        dotnet publish (Join-Path $Root 'src/LandlockPS/LandlockPS.csproj') -c $Configuration -o $publish --nologo -v quiet
    }
    # Replace rather than overwrite: a pwsh that has the old assembly mapped keeps its own copy.
    # The publish output holds our assemblies and the libraries they use, never PowerShell's own.
    Get-ChildItem $ModuleDir -Filter '*.dll' | Remove-Item -Force
    Get-ChildItem $publish -Filter '*.dll' | Copy-Item -Destination $ModuleDir
    Invoke-Docs
    Write-Host "Built LandlockPS ($Configuration) into $ModuleDir"
}

# Compiles docs/en-US/*.md into MAML and about_*.md into about topics next to the manifest (Get-Help looks in <ModuleBase>/en-US),
# in a fresh pwsh that imports the module just built.
function Invoke-Docs {
    $maml = Join-Path $Root 'en-US/LandlockPS.dll-Help.xml'
    $docs = Join-Path $Root 'docs/en-US'
    # A script block and its arguments travel to the child pwsh encoded (-EncodedCommand and
    # -EncodedArguments): a path with a quote in it stays a path, never becomes code.
    $compile = {
        param($Root, $Docs, $Maml)
        $ErrorActionPreference = 'Stop'
        Import-Module (Join-Path $Root 'LandlockPS.psd1')
        & (Join-Path $Root 'tools/Build-MamlHelp.ps1') -DocsPath $Docs -ModuleName LandlockPS -OutFile $Maml
        & (Join-Path $Root 'tools/Build-AboutHelp.ps1') -DocsPath $Docs -OutDirectory (Split-Path $Maml)
    }
    Invoke-Native 'compiling help' {
        & $FreshPwsh -NoProfile -NonInteractive -Command $compile -args $Root, $docs, $maml
    }
}

function Get-PesterManifest {
    Invoke-Native 'restoring Pester' {
        dotnet restore (Join-Path $Root 'tests/tools/TestTools.csproj') --nologo -v quiet
    }
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) {
        $packages = (dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    }
    $manifest = Join-Path $packages 'pester/6.2.0/tools/Pester.psd1'
    if (-not (Test-Path $manifest)) { throw "Pester was restored but $manifest is missing." }
    $manifest
}

function Invoke-Test {
    Invoke-Build
    Invoke-Native 'xUnit tests' {
        dotnet test (Join-Path $Root 'tests/LandlockPS.Tests/LandlockPS.Tests.csproj') -c $Configuration --nologo -v quiet
    }
    $pester = Get-PesterManifest
    # A fresh pwsh, as a user would have: nothing of this build session leaks into the tests.
    Invoke-Native 'Pester tests' {
        & $FreshPwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tests/Invoke-PesterSuite.ps1') -PesterManifest $pester
    }
}

function Invoke-Package {
    Invoke-Build
    $package = & (Join-Path $Root 'tools/New-ModulePackage.ps1') -ModuleRoot $Root -OutPath (Join-Path $Root 'out')
    Write-Host "Packaged LandlockPS into $package"
    $library = & (Join-Path $Root 'tools/New-CorePackage.ps1') -ModuleRoot $Root -OutPath (Join-Path $Root 'out/nuget') -Configuration $Configuration
    Write-Host "Packaged LandlockPS.Core into $library"
    $null = & (Join-Path $Root 'tools/New-UpdatableHelp.ps1') -ModuleRoot $Root -OutPath (Join-Path $Root 'out/help')
    Write-Host "Wrote the help for Update-Help into $(Join-Path $Root 'out/help')"
}

function Invoke-Demo {
    Invoke-Build
    Invoke-Native 'demo' { & $FreshPwsh -NoProfile -NonInteractive -File (Join-Path $Root 'demo/Demo.ps1') }
}

function Invoke-Bench {
    Invoke-Build
    Invoke-Native 'bench' { & $FreshPwsh -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Bench.ps1') }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Docs' { Invoke-Docs }
    'Test' { Invoke-Test }
    'Package' { Invoke-Package }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
}
