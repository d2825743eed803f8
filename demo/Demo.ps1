<#
.SYNOPSIS
    A short tour of LandlockPS: the kernel's Landlock support, a ruleset, and what this kernel enforces.
#>
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path (Split-Path $PSScriptRoot -Parent) 'LandlockPS.psd1')

function Write-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

Write-Step 'What this kernel supports (Get-LandlockAbi)'
$abi = Get-LandlockAbi
$abi | Out-Host
if ($abi.Status -ne 'Available') {
    Write-Warning "Landlock is not available here: $($abi.Reason)"
    return
}

Write-Step 'A ruleset: deny everything, allow reading the system, writing one scratch folder, HTTPS out'
$scratch = New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) 'landlockps-demo')
$rs = New-LandlockRuleset -Name demo |
    Add-LandlockPathRule -Path /usr, /etc -Access ReadExecute -PassThru |
    Add-LandlockPathRule -LiteralPath $scratch.FullName -Access ReadWrite -PassThru |
    Add-LandlockNetRule -Port 443 -Access ConnectTcp -PassThru
$rs | Out-Host

Write-Step 'What the kernel would enforce of it (Test-LandlockRuleset)'
$rs | Test-LandlockRuleset | Out-Host

Write-Step 'The same ruleset as a HardRequirement'
$rs.CompatibilityLevel = 'HardRequirement'
$rs | Test-LandlockRuleset -ErrorVariable refused -ErrorAction SilentlyContinue | Out-Host
if ($refused) { Write-Host "Refused ($($refused[0].FullyQualifiedErrorId)):`n$($refused[0].Exception.Message)" -ForegroundColor Yellow }

Remove-Item $scratch -Recurse -Force
