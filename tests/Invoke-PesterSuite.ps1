<#
.SYNOPSIS
    Runs every tests/*.Tests.ps1 with Pester; exits non-zero on any failure.
.DESCRIPTION
    Two fresh pwsh run the files side by side: one the files that mostly wait on a terminal (tmux),
    signals or a child's timers, with a temporary folder of its own, so that their waiting overlaps
    the rest; the other everything else, its output shown as it goes. The first one's output follows.
    Each writes its own results file. This pwsh only starts them and waits: a test pwsh has no child
    the tests did not start.
    -Path runs the named files of this folder only (a comma-separated list), in this pwsh.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [string] $Path,
    [string] $ResultName = 'pester'
)

$ErrorActionPreference = 'Stop'

# The files that mostly wait (on tmux screens, signals, timers, a child's transfers): they run beside the others.
$Beside = @(
    'Seams.HostChannel2.Tests.ps1'
    'Seams.CallerSession.Tests.ps1'
    'Invoke-Sandboxed.Terminal.Tests.ps1'
    'Readme.Tests.ps1'
    'Formatting.Tests.ps1'
    'Seams.Channel.Tests.ps1'
)

function Invoke-Suite([string[]] $Files, [string] $Name) {
    Import-Module $PesterManifest -Force
    $config = New-PesterConfiguration
    $config.Run.Path = $Files
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputPath = Join-Path $PSScriptRoot "results/$Name.xml"
    $result = Invoke-Pester -Configuration $config
    $result.Result -eq 'Passed' ? 0 : 1
}

if ($Path) { exit (Invoke-Suite ($Path.Split(',') | ForEach-Object { Join-Path $PSScriptRoot $_ }) $ResultName) }

$all = Get-ChildItem -LiteralPath $PSScriptRoot -Filter *.Tests.ps1 | Sort-Object Name
$missing = $Beside | Where-Object { $_ -notin $all.Name }
if ($missing) { throw "tests/Invoke-PesterSuite.ps1 lists test files that do not exist: $($missing -join ', ')" }

function Start-Suite([string[]] $Files, [string] $Name, [hashtable] $Environment = @{}, [switch] $Quiet) {
    $start = [Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME 'pwsh'))
    foreach ($argument in '-NoProfile', '-NonInteractive', '-File', $PSCommandPath, '-PesterManifest', $PesterManifest,
        '-ResultName', $Name, '-Path', ($Files -join ',')) { $start.ArgumentList.Add($argument) }
    foreach ($entry in $Environment.GetEnumerator()) { $start.Environment[$entry.Key] = $entry.Value }
    # The quiet one reads nothing: its standard input is closed at once.
    $start.RedirectStandardInput = $start.RedirectStandardOutput = $start.RedirectStandardError = [bool]$Quiet
    $process = [Diagnostics.Process]::Start($start)
    if ($Quiet) { $process.StandardInput.Close() }
    $process
}

# Its own temporary folder: the homes, scratch files and sockets of one pwsh never meet the other's.
$temp = [IO.Directory]::CreateTempSubdirectory('llps-suite-').FullName
$suites = @()
try {
    $suites += $waiting = Start-Suite $Beside 'pester-beside' @{ TMPDIR = $temp } -Quiet
    $output = $waiting.StandardOutput.ReadToEndAsync()
    $errors = $waiting.StandardError.ReadToEndAsync()
    Write-Host "Running $($Beside -join ', ') in a pwsh beside the others; its output follows theirs."
    $suites += $rest = Start-Suite ($all.Name | Where-Object { $_ -notin $Beside }) 'pester'
    $rest.WaitForExit()
    $waiting.WaitForExit()
    Write-Host "`nFrom the pwsh beside ($($Beside -join ', ')):"
    Write-Host $output.GetAwaiter().GetResult()
    Write-Host $errors.GetAwaiter().GetResult()
    exit (($suites | Where-Object ExitCode -NE 0) ? 1 : 0)
}
finally {
    foreach ($suite in $suites) {
        if (-not $suite.HasExited) { $suite.Kill($true) }
        $suite.Dispose()
    }
    Remove-Item -LiteralPath $temp -Recurse -Force -ErrorAction Ignore
}
