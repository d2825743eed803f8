<#
.SYNOPSIS
    Side-by-side benchmarks of confined runs against unconfined baselines, in one pwsh.
.DESCRIPTION
    Every scenario runs in interleaved rounds next to its baseline, so machine noise hits both; only
    ratios are meaningful. Targets come from the issues: a confined launch no slower than pwsh's own
    `& /bin/true`, confined output throughput at least 0.9 of the unconfined rate, the seccomp
    filter that emulates what the kernel's Landlock lacks within 1.05 of a launch without it, and a
    build (many forks) in a cgroup of its own within 1.1 of one held by its process group only.
    The last two compare through the test-only settings LANDLOCKPS_TEST_NO_EMULATION and
    LANDLOCKPS_TEST_NO_CGROUP.
#>
param(
    [int] $Launches = 200,
    [int] $Rounds = 5,
    [int] $ThroughputMiB = 256,
    [int] $BlockRounds = 9,
    [int] $SessionWarmup = 1000,
    [int] $MakeRounds = 7
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path (Split-Path $PSScriptRoot -Parent) 'LandlockPS.psd1')

$abi = [LandlockPS.Core.Landlock.LandlockAbi][Math]::Min(10, [int](Get-LandlockAbi).EffectiveAbi)
$rs = New-LandlockRuleset -Name bench -Abi $abi | Add-LandlockPathRule -Path /usr, /etc -Access ReadExecute -PassThru

function Measure-PerCall([scriptblock] $Body, [int] $Count) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    for ($i = 0; $i -lt $Count; $i++) { & $Body }
    $clock.Elapsed.TotalMilliseconds / $Count
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $sorted[[int][Math]::Floor($sorted.Count / 2)]
}

# Warm up every path (JIT, page cache) before measuring.
$null = Measure-PerCall { $rs | Invoke-Sandboxed -FilePath /bin/true } 20
$null = Measure-PerCall { & /bin/true } 20
$null = Measure-PerCall { [Diagnostics.Process]::Start('/bin/true').WaitForExit() } 20

# Short interleaved batches, alternating which side goes first, so drift in the machine's load
# lands on both sides; the result is the median of the per-batch ratios.
$confined = [Collections.Generic.List[double]]::new()
$native = [Collections.Generic.List[double]]::new()
$process = [Collections.Generic.List[double]]::new()
$launchRatios = [Collections.Generic.List[double]]::new()
$batch = [Math]::Max(10, [int]($Launches / 10))
for ($r = 0; $r -lt $Rounds * 10; $r++) {
    if ($r % 2) {
        $n = Measure-PerCall { & /bin/true } $batch
        $c = Measure-PerCall { $rs | Invoke-Sandboxed -FilePath /bin/true } $batch
    }
    else {
        $c = Measure-PerCall { $rs | Invoke-Sandboxed -FilePath /bin/true } $batch
        $n = Measure-PerCall { & /bin/true } $batch
    }
    $confined.Add($c)
    $native.Add($n)
    $launchRatios.Add($c / $n)
    $process.Add((Measure-PerCall { [Diagnostics.Process]::Start('/bin/true').WaitForExit() } $batch))
}
$confinedMs = Get-Median $confined
$nativeMs = Get-Median $native
$processMs = Get-Median $process

# CPU seconds this pwsh and every child it reaped have used (fields 14-17 of /proc/self/stat; a
# child's own reaped children count in it): on a loaded machine, steadier than the wall clock.
function Get-CpuSeconds {
    $stat = (Get-Content -Raw /proc/self/stat)
    $fields = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
    ([double]$fields[11] + $fields[12] + $fields[13] + $fields[14]) / 100
}

# The same confined work with and without a setting (a test-only environment variable), in
# interleaved batches; the median of the per-batch ratios, of wall time and of CPU time.
function Measure-Setting([string] $Variable, [scriptblock] $Body, [int] $Count, [int] $Batches) {
    $with = [Collections.Generic.List[double]]::new()
    $without = [Collections.Generic.List[double]]::new()
    $ratios = [Collections.Generic.List[double]]::new()
    $cpuRatios = [Collections.Generic.List[double]]::new()
    for ($r = 0; $r -lt $Batches; $r++) {
        $cpu = @{}
        foreach ($off in @((($r % 2) -eq 0), (($r % 2) -ne 0))) {
            if ($off) { Set-Item "Env:$Variable" '1' } else { Remove-Item "Env:$Variable" -ErrorAction Ignore }
            $before = Get-CpuSeconds
            $ms = Measure-PerCall $Body $Count
            $cpu[$off] = (Get-CpuSeconds) - $before
            if ($off) { $without.Add($ms) } else { $with.Add($ms) }
        }
        Remove-Item "Env:$Variable" -ErrorAction Ignore
        $ratios.Add($with[-1] / $without[-1])
        if ($cpu[$true] -gt 0) { $cpuRatios.Add($cpu[$false] / $cpu[$true]) }
    }
    [pscustomobject]@{ With = Get-Median $with; Without = Get-Median $without; Ratio = Get-Median $ratios; CpuRatio = Get-Median $cpuRatios }
}

# The newest ABI, so that the filter holds every class this kernel lacks (on ABI 7: UNIX sockets,
# UDP, memfds, io_uring). Without emulation that run is PartiallyEnforced: its warning is not shown.
$newest = New-LandlockRuleset -Name bench-newest | Add-LandlockPathRule -Path /usr, /etc -Access ReadExecute -PassThru
$filter = Measure-Setting 'LANDLOCKPS_TEST_NO_EMULATION' { $newest | Invoke-Sandboxed -FilePath /bin/true -WarningAction Ignore } $batch ($Rounds * 10)
$cgroupLaunch = Measure-Setting 'LANDLOCKPS_TEST_NO_CGROUP' { $rs | Invoke-Sandboxed -FilePath /bin/true } $batch ($Rounds * 10)

# A build of a small C project (one compiler run per file: many forks and execs) in a cgroup of
# its own, against the same build held by its process group only.
$make = $null
$project = Join-Path ([IO.Path]::GetTempPath()) "landlockps-bench-make-$PID"
if ((Get-Command make, cc -ErrorAction Ignore).Count -eq 2) {
    $null = New-Item -ItemType Directory $project
    try {
        foreach ($i in 1..24) { "int f$i(int x) { return x * $i; }" | Set-Content (Join-Path $project "f$i.c") }
        'int main(void) { return 0; }' | Set-Content (Join-Path $project 'main.c')
        @(
            'OBJS := $(patsubst %.c,%.o,$(wildcard *.c))'
            'app: $(OBJS)'
            "`t`$(CC) -o `$@ `$^"
            '%.o: %.c'
            "`t`$(CC) -O1 -c -o `$@ `$<"
        ) | Set-Content (Join-Path $project 'Makefile')
        $makeRules = $rs.Clone() | Add-LandlockPathRule -LiteralPath $project -Access ReadWrite -PassThru |
            Add-LandlockPathRule -Path /dev/null -Access ReadFile, WriteFile -PassThru
        $build = {
            $makeRules | Invoke-Sandboxed make '-B', '-s', '-C', $project -Environment @{ TMPDIR = $project } -ClearEnvironment -WorkingDirectory $project
            if ($LASTEXITCODE -ne 0) { throw "make failed ($LASTEXITCODE)" }
        }
        & $build
        $make = Measure-Setting 'LANDLOCKPS_TEST_NO_CGROUP' $build 1 $MakeRounds
    }
    finally {
        Remove-Item $project -Recurse -Force
    }
}

# Throughput: the same bytes through a confined cat, and through an unconfined one read by .NET directly.
$file = Join-Path ([IO.Path]::GetTempPath()) "landlockps-bench-$PID.bin"
$chunk = [byte[]]::new(1MB)
[Random]::new(1).NextBytes($chunk)
$stream = [IO.File]::Create($file)
for ($i = 0; $i -lt $ThroughputMiB; $i++) { $stream.Write($chunk, 0, $chunk.Length) }
$stream.Dispose()
$catRules = $rs.Clone() | Add-LandlockPathRule -LiteralPath $file -Access ReadFile -PassThru

function Measure-Confined {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $bytes = 0L
    $catRules | Invoke-Sandboxed -FilePath cat -ArgumentList $file -AsByteStream | ForEach-Object { $bytes += $_.Length }
    if ($bytes -ne $ThroughputMiB * 1MB) { throw "confined cat delivered $bytes bytes" }
    $ThroughputMiB / $clock.Elapsed.TotalSeconds
}

# The unconfined twin: the same cat, its output emitted as the same 64 KiB byte[] chunks into the
# same pipeline consumer. Only confinement and LandlockPS's supervision differ.
function Read-Unconfined {
    $info = [Diagnostics.ProcessStartInfo]::new('cat', $file)
    $info.RedirectStandardOutput = $true
    $p = [Diagnostics.Process]::Start($info)
    $out = $p.StandardOutput.BaseStream
    while ($true) {
        $buffer = [byte[]]::new(64KB)
        $n = $out.Read($buffer, 0, $buffer.Length)
        if ($n -le 0) { break }
        if ($n -lt $buffer.Length) { [Array]::Resize([ref]$buffer, $n) }
        Write-Output $buffer -NoEnumerate
    }
    $p.WaitForExit()
}

function Measure-Unconfined {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $bytes = 0L
    Read-Unconfined | ForEach-Object { $bytes += $_.Length }
    if ($bytes -ne $ThroughputMiB * 1MB) { throw "unconfined cat delivered $bytes bytes" }
    $ThroughputMiB / $clock.Elapsed.TotalSeconds
}

try {
    $null = Measure-Confined
    $null = Measure-Unconfined
    $confinedRate = [Collections.Generic.List[double]]::new()
    $plainRate = [Collections.Generic.List[double]]::new()
    for ($r = 0; $r -lt 3; $r++) {
        $confinedRate.Add((Measure-Confined))
        $plainRate.Add((Measure-Unconfined))
    }
}
finally {
    Remove-Item $file -Force
}
$confinedMiBs = Get-Median $confinedRate
$plainMiBs = Get-Median $plainRate

# Script blocks: a one-shot confined block against a fresh unconfined pwsh and a background job,
# interleaved; then calls into one open confined session.
$pwsh = Join-Path $PSHOME 'pwsh'
$blockRatios = [Collections.Generic.List[double]]::new()
$blockMs = [Collections.Generic.List[double]]::new()
$pwshMs = [Collections.Generic.List[double]]::new()
$jobMs = [Collections.Generic.List[double]]::new()
$null = Invoke-Sandboxed -Ruleset $rs { 1 }
for ($r = 0; $r -lt $BlockRounds; $r++) {
    $b = Measure-PerCall { $null = Invoke-Sandboxed -Ruleset $rs { 1 } } 1
    $p = Measure-PerCall { $null = & $pwsh -NoProfile -c 1 } 1
    $j = Measure-PerCall { $null = Start-Job { 1 } | Receive-Job -Wait -AutoRemoveJob } 1
    $blockMs.Add($b); $pwshMs.Add($p); $jobMs.Add($j); $blockRatios.Add($b / $p)
}
$session = New-LandlockSession -Ruleset $rs
try {
    # A new session's first calls run on both sides' first-tier JIT code; reported for information.
    $firstCallsMs = Measure-PerCall { $null = Invoke-Command -Session $session { 1 } } 100
    # The target is the steady state: tiered compilation (client and child) settles only after some
    # hundreds of calls, which 100 did not reach (the per-call time still halves after them).
    1..$SessionWarmup | ForEach-Object { $null = Invoke-Command -Session $session { 1 } }
    $sessionMs = Get-Median (1..$BlockRounds | ForEach-Object { Measure-PerCall { $null = Invoke-Command -Session $session { 1 } } 20 })
}
finally {
    Remove-PSSession $session
}

$launchRatio = Get-Median $launchRatios
$rateRatio = $confinedMiBs / $plainMiBs
$results = @(
    [pscustomobject]@{ Scenario = 'Invoke-Sandboxed -FilePath /bin/true'; Value = '{0:N3} ms' -f $confinedMs; Baseline = '& /bin/true'; BaselineValue = '{0:N3} ms' -f $nativeMs; Ratio = [Math]::Round($launchRatio, 2); Target = '<= 1.0'; Met = $launchRatio -le 1.0 }
    [pscustomobject]@{ Scenario = 'Invoke-Sandboxed -FilePath /bin/true'; Value = '{0:N3} ms' -f $confinedMs; Baseline = '[Diagnostics.Process]::Start'; BaselineValue = '{0:N3} ms' -f $processMs; Ratio = [Math]::Round($confinedMs / $processMs, 2); Target = '(info)'; Met = $null }
    [pscustomobject]@{ Scenario = '/bin/true with the emulation filter'; Value = '{0:N3} ms' -f $filter.With; Baseline = 'without it'; BaselineValue = '{0:N3} ms' -f $filter.Without; Ratio = [Math]::Round($filter.Ratio, 3); Target = '<= 1.05'; Met = $filter.Ratio -le 1.05 }
    [pscustomobject]@{ Scenario = '/bin/true with the emulation filter, CPU time'; Value = ''; Baseline = 'without it'; BaselineValue = ''; Ratio = [Math]::Round($filter.CpuRatio, 3); Target = '(info)'; Met = $null }
    [pscustomobject]@{ Scenario = '/bin/true in a cgroup of its own'; Value = '{0:N3} ms' -f $cgroupLaunch.With; Baseline = 'held by its process group'; BaselineValue = '{0:N3} ms' -f $cgroupLaunch.Without; Ratio = [Math]::Round($cgroupLaunch.Ratio, 3); Target = '(info)'; Met = $null }
    if ($make) {
        [pscustomobject]@{ Scenario = 'make of 25 C files in a cgroup of its own'; Value = '{0:N0} ms' -f $make.With; Baseline = 'held by its process group'; BaselineValue = '{0:N0} ms' -f $make.Without; Ratio = [Math]::Round($make.Ratio, 3); Target = '<= 1.1'; Met = $make.Ratio -le 1.1 }
        [pscustomobject]@{ Scenario = 'make of 25 C files in a cgroup of its own, CPU time'; Value = ''; Baseline = 'held by its process group'; BaselineValue = ''; Ratio = [Math]::Round($make.CpuRatio, 3); Target = '(info)'; Met = $null }
    }
    else { [pscustomobject]@{ Scenario = 'make of 25 C files in a cgroup of its own'; Value = 'skipped'; Baseline = 'needs make and cc'; BaselineValue = ''; Ratio = $null; Target = '<= 1.1'; Met = $null } }
    [pscustomobject]@{ Scenario = 'Invoke-Sandboxed { 1 }'; Value = '{0:N0} ms' -f (Get-Median $blockMs); Baseline = 'pwsh -NoProfile -c 1'; BaselineValue = '{0:N0} ms' -f (Get-Median $pwshMs); Ratio = [Math]::Round((Get-Median $blockRatios), 2); Target = '<= 1.0'; Met = (Get-Median $blockRatios) -le 1.0 }
    [pscustomobject]@{ Scenario = 'Invoke-Sandboxed { 1 }'; Value = '{0:N0} ms' -f (Get-Median $blockMs); Baseline = 'Start-Job { 1 } | Receive-Job -Wait'; BaselineValue = '{0:N0} ms' -f (Get-Median $jobMs); Ratio = [Math]::Round((Get-Median $blockMs) / (Get-Median $jobMs), 2); Target = '(info)'; Met = $null }
    [pscustomobject]@{ Scenario = 'Invoke-Command -Session $confined { 1 }, steady state'; Value = '{0:N2} ms' -f $sessionMs; Baseline = '(absolute target)'; BaselineValue = '5 ms'; Ratio = [Math]::Round($sessionMs / 5, 2); Target = '< 5 ms'; Met = $sessionMs -lt 5 }
    [pscustomobject]@{ Scenario = 'Invoke-Command -Session $confined { 1 }, a new session''s first 100 calls'; Value = '{0:N2} ms' -f $firstCallsMs; Baseline = '(absolute target)'; BaselineValue = '5 ms'; Ratio = [Math]::Round($firstCallsMs / 5, 2); Target = '(info)'; Met = $null }
    [pscustomobject]@{ Scenario = "confined cat, $ThroughputMiB MiB, -AsByteStream"; Value = '{0:N0} MiB/s' -f $confinedMiBs; Baseline = 'unconfined cat, same chunks and consumer'; BaselineValue = '{0:N0} MiB/s' -f $plainMiBs; Ratio = [Math]::Round($rateRatio, 2); Target = '>= 0.9'; Met = $rateRatio -ge 0.9 }
)
foreach ($r in $results) {
    $verdict = if ($null -eq $r.Met) { '' } elseif ($r.Met) { 'met' } else { 'NOT met' }
    '{0}: {1}  vs  {2}: {3}  ->  ratio {4} (target {5}) {6}' -f $r.Scenario, $r.Value, $r.Baseline, $r.BaselineValue, $r.Ratio, $r.Target, $verdict
}
"Launch: median of $($Rounds * 10) interleaved batches of $batch (filter and cgroup: of per-batch ratios too); make: median of $MakeRounds interleaved builds; blocks: median of $BlockRounds interleaved runs; throughput: median of 3. Ratios are the result; absolute numbers vary with the machine's load."
