<#
.SYNOPSIS
    A short tour of LandlockPS: the kernel's support, a ruleset, and a confined program that may read
    what the ruleset allows and nothing else, while this session stays free.
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

$scratch = New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "landlockps-demo-$PID")
$private = New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "landlockps-private-$PID")
Set-Content (Join-Path $scratch 'allowed.txt') 'You may read this.'
Set-Content (Join-Path $private 'secret.txt') 'You may not read this.'
$listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
$listener.Start()
$port = $listener.LocalEndpoint.Port

try {
    Write-Step "A ruleset: read the system, read (not write) $scratch, nothing else"
    $rs = New-LandlockRuleset -Name demo -Abi $abi.EffectiveAbi |
        Add-LandlockPathRule -Path /usr, /etc -Access ReadExecute -PassThru |
        Add-LandlockPathRule -LiteralPath $scratch.FullName -Access ReadOnly -PassThru
    $rs | Out-Host
    $rs | Test-LandlockRuleset | Select-Object Status, KernelAbi | Out-Host

    function Show-Run([string] $What, [string] $Command) {
        $out = $rs | Invoke-Sandboxed -FilePath bash -ArgumentList '-c', $Command -StandardError Output
        $verdict = if ($LASTEXITCODE -eq 0) { 'allowed' } else { 'DENIED' }
        Write-Host ('{0,-34} {1,-8} {2}' -f $What, $verdict, ($out -join ' | '))
    }

    Write-Step 'Inside the sandbox (Invoke-Sandboxed, a confined bash)'
    Show-Run 'read a file the ruleset allows' "cat $scratch/allowed.txt"
    Show-Run 'read a file outside the rules' "cat $private/secret.txt"
    Show-Run 'write into the read-only folder' "echo x > $scratch/new.txt"
    Show-Run "connect to 127.0.0.1:$port" "exec 3<>/dev/tcp/127.0.0.1/$port && echo connected"

    Write-Step 'A script block in a confined pwsh (Invoke-Sandboxed -ScriptBlock): objects come back'
    $result = Invoke-Sandboxed -Ruleset $rs {
        param($allowed, $secret)
        [pscustomobject]@{
            Allowed = Get-Content $allowed
            Secret  = $(try { Get-Content $secret -ErrorAction Stop } catch { "denied ($($_.CategoryInfo.Category))" })
            Pid     = $PID
        }
    } -ArgumentList (Join-Path $scratch 'allowed.txt'), (Join-Path $private 'secret.txt')
    $result | Format-List | Out-Host

    Write-Step 'Outside, this session is untouched'
    Write-Host "read the secret here: $(Get-Content (Join-Path $private 'secret.txt'))"
    # Threads come and go (the thread pool, launch threads): one that ends before its status is read is not there.
    $restricted = Get-ChildItem /proc/$PID/task -Directory | Where-Object {
        (Get-Content -Raw -ErrorAction Ignore (Join-Path $_.FullName status)) -match '(?m)^NoNewPrivs:\s+1'
    }
    Write-Host "threads of this pwsh under a sandbox: $(@($restricted).Count)"
}
finally {
    $listener.Stop()
    Remove-Item $scratch, $private -Recurse -Force
}
