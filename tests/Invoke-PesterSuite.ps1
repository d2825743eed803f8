<#
.SYNOPSIS
    Runs every tests/*.Tests.ps1 with Pester in this (fresh) pwsh; exits non-zero on any failure.
#>
param([Parameter(Mandatory)] [string] $PesterManifest)

$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest -Force
$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.Exit = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = Join-Path $PSScriptRoot 'results/pester.xml'
Invoke-Pester -Configuration $config
