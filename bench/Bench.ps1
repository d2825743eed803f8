<#
.SYNOPSIS
    Side-by-side benchmarks of confined runs against unconfined baselines, in one pwsh.
.DESCRIPTION
    Every scenario runs in interleaved rounds next to its baseline, so machine noise hits both; only
    ratios are meaningful. Targets come from the issues: a confined launch no slower than pwsh's own
    `& /bin/true`, confined output throughput at least 0.9 of the unconfined rate, a confined block
    no slower than `pwsh -c`, and a confined session no slower than PowerShell's own out-of-process
    session, holding no more than 1.1 times its memory in the caller. The seccomp filter that
    emulates what the kernel's Landlock lacks stays within 1.05 of a launch without it, and a build
    (many forks) in a cgroup of its own within 1.1 of one held by its process group only. A traced
    run (Trace-LandlockAccess, Invoke-Sandboxed -ExplainDenials) costs at most 3 times the same
    confined run untraced.
.PARAMETER Scenario
    Runs only some scenarios, for profiling one of them. The targets are met only when all of them
    hold in the same run.
.PARAMETER MemoryBatch
    Internal: measures one batch of sessions of one kind in this pwsh and writes the result as JSON.
    The Memory scenario runs each batch in a pwsh of its own, so that what other scenarios and
    earlier batches left in the heap does not count.
.PARAMETER CpuGroup
    Internal: moves this pwsh into that cgroup of the cpu controller (below the root), runs the
    Session scenario there and writes its results as JSON. Where a confined child is scheduled apart
    from its caller, the Session scenario also measures this way, for information: how the same calls
    compare where the child shares its caller's scheduling group, as in a container.
#>
param(
    [int] $Launches = 200,
    [int] $Rounds = 5,
    [int] $ThroughputMiB = 256,
    [int] $BlockRounds = 9,
    [int] $SessionWarmup = 1000,
    [int] $SessionRounds = 9,
    [int] $FirstCallRounds = 5,
    [int] $MemoryRounds = 6,
    [int] $MemorySessions = 8,
    [int] $MakeRounds = 7,
    [int] $TraceRounds = 7,
    [ValidateSet('Launch', 'Containment', 'Throughput', 'Block', 'Session', 'FirstCalls', 'Memory', 'Trace')]
    [string[]] $Scenario = @('Launch', 'Containment', 'Throughput', 'Block', 'Session', 'FirstCalls', 'Memory', 'Trace'),
    [ValidateSet('Confined', 'Own')]
    [string] $MemoryBatch,
    [string] $CpuGroup
)

$ErrorActionPreference = 'Stop'
# A memory batch measures that batch alone.
if ($MemoryBatch) { $Scenario = @() }
if ($CpuGroup) {
    Set-Content (Join-Path $CpuGroup cgroup.procs) $PID -ErrorAction Stop
    $Scenario = @('Session')
}
Import-Module (Join-Path (Split-Path $PSScriptRoot -Parent) 'LandlockPS.psd1')

$abi = [LandlockPS.Core.Landlock.LandlockAbi][Math]::Min(10, [int](Get-LandlockAbi).EffectiveAbi)
$rs = New-LandlockRuleset -Name bench -Abi $abi | Add-LandlockPathRule -Path /usr, /etc -Access ReadExecute -PassThru
$results = [Collections.Generic.List[object]]::new()
$notes = [Collections.Generic.List[string]]::new()

function Measure-PerCall([scriptblock] $Body, [int] $Count) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    for ($i = 0; $i -lt $Count; $i++) { & $Body }
    $clock.Elapsed.TotalMilliseconds / $Count
}

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $sorted[[int][Math]::Floor($sorted.Count / 2)]
}

# A target of '<= x' or '>= x' is judged; anything else is for information. A ratio that is not
# positive (a baseline measured as nothing, or less) says nothing, and is never judged met.
function Add-Result([string] $Scenario, [string] $Value, [string] $Baseline, [string] $BaselineValue, [double] $Ratio, [string] $Target = '(info)') {
    $met = if ($Target -notmatch '^(<=|>=) (.+)$') { $null }
        elseif (-not ($Ratio -gt 0) -or [double]::IsInfinity($Ratio)) { 'NOT measured (measure again on a quieter machine)' }
        elseif ($Matches[1] -eq '<=') { $Ratio -le [double]$Matches[2] }
        else { $Ratio -ge [double]$Matches[2] }
    $results.Add([pscustomobject]@{ Scenario = $Scenario; Value = $Value; Baseline = $Baseline; BaselineValue = $BaselineValue; Ratio = [Math]::Round($Ratio, 2); Target = $Target; Met = $met })
}

# Short interleaved batches, alternating which side goes first, so drift in the machine's load
# lands on both sides; the result is the median of the per-batch ratios.
function Compare-Batches([scriptblock] $Measured, [scriptblock] $Baseline, [int] $Count, [int] $Batches) {
    $m = [Collections.Generic.List[double]]::new()
    $b = [Collections.Generic.List[double]]::new()
    $ratios = [Collections.Generic.List[double]]::new()
    for ($r = 0; $r -lt $Batches; $r++) {
        if ($r % 2) {
            $bv = Measure-PerCall $Baseline $Count
            $mv = Measure-PerCall $Measured $Count
        }
        else {
            $mv = Measure-PerCall $Measured $Count
            $bv = Measure-PerCall $Baseline $Count
        }
        $m.Add($mv); $b.Add($bv); $ratios.Add($mv / $bv)
    }
    [pscustomobject]@{ Measured = Get-Median $m; Baseline = Get-Median $b; Ratio = Get-Median $ratios }
}

# Runs each body in rounds until a round compiles almost nothing more: the runtime recompiles hot
# methods in tiers (with profiling between them) for the first several hundred runs of a path, on a
# background thread that takes a core from whatever is measured meanwhile. Returns the runs of each.
function Wait-JitSettled([scriptblock[]] $Bodies, [int] $Round = 100, [int] $Quiet = 25, [int] $MaxRounds = 20) {
    $runs = 0
    do {
        $compiled = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
        foreach ($body in $Bodies) { $null = Measure-PerCall $body $Round }
        $runs += $Round
        # The background compiler works behind the calls: give it a moment to catch up before asking.
        Start-Sleep -Milliseconds 300
    } while ([System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $compiled -ge $Quiet -and $runs -lt $Round * $MaxRounds)
    $runs
}

$batch = [Math]::Max(10, [int]($Launches / 10))
if ($Scenario -contains 'Launch') {
    # Warm up every path (JIT, page cache) before measuring.
    $warmed = Wait-JitSettled @({ $rs | Invoke-Sandboxed -FilePath /bin/true }, { & /bin/true }, { [Diagnostics.Process]::Start('/bin/true').WaitForExit() })

    $launch = Compare-Batches { $rs | Invoke-Sandboxed -FilePath /bin/true } { & /bin/true } $batch ($Rounds * 10)
    $process = Compare-Batches { $rs | Invoke-Sandboxed -FilePath /bin/true } { [Diagnostics.Process]::Start('/bin/true').WaitForExit() } $batch ($Rounds * 2)
    Add-Result 'Invoke-Sandboxed -FilePath /bin/true' ('{0:N3} ms' -f $launch.Measured) '& /bin/true' ('{0:N3} ms' -f $launch.Baseline) $launch.Ratio '<= 1.0'
    Add-Result 'Invoke-Sandboxed -FilePath /bin/true' ('{0:N3} ms' -f $process.Measured) '[Diagnostics.Process]::Start' ('{0:N3} ms' -f $process.Baseline) $process.Ratio
    $notes.Add("Launch: median of $($Rounds * 10) interleaved batches of $batch, after $warmed warm-up launches of each.")

    # bubblewrap, for information: a comparable sandbox (every namespace unshared, /usr and /etc
    # read-only) built by another tool.
    if ($bwrap = Get-Command bwrap -CommandType Application -ErrorAction Ignore | Select-Object -First 1) {
        $bwrapArgs = @('--unshare-all', '--ro-bind', '/usr', '/usr', '--ro-bind', '/etc', '/etc', '--symlink', 'usr/bin', '/bin',
            '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--proc', '/proc', '--dev', '/dev', '/bin/true')
        $bwrapRun = { & $bwrap.Source @bwrapArgs; if ($LASTEXITCODE) { throw "bwrap failed ($LASTEXITCODE)" } }
        $null = Measure-PerCall $bwrapRun 5
        $vsBwrap = Compare-Batches { $rs | Invoke-Sandboxed -FilePath /bin/true } $bwrapRun $batch ($Rounds * 2)
        Add-Result 'Invoke-Sandboxed -FilePath /bin/true' ('{0:N3} ms' -f $vsBwrap.Measured) 'bwrap --unshare-all (ro /usr, /etc) /bin/true' ('{0:N3} ms' -f $vsBwrap.Baseline) $vsBwrap.Ratio
    }
    else {
        $notes.Add('bubblewrap: skipped, bwrap is not installed.')
    }
}

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

if ($Scenario -contains 'Containment') {
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

    Add-Result '/bin/true with the emulation filter' ('{0:N3} ms' -f $filter.With) 'without it' ('{0:N3} ms' -f $filter.Without) $filter.Ratio '<= 1.05'
    Add-Result '/bin/true with the emulation filter, CPU time' '' 'without it' '' $filter.CpuRatio
    Add-Result '/bin/true in a cgroup of its own' ('{0:N3} ms' -f $cgroupLaunch.With) 'held by its process group' ('{0:N3} ms' -f $cgroupLaunch.Without) $cgroupLaunch.Ratio
    if ($make) {
        Add-Result 'make of 25 C files in a cgroup of its own' ('{0:N0} ms' -f $make.With) 'held by its process group' ('{0:N0} ms' -f $make.Without) $make.Ratio '<= 1.1'
        Add-Result 'make of 25 C files in a cgroup of its own, CPU time' '' 'held by its process group' '' $make.CpuRatio
        $notes.Add("Make: median of $MakeRounds interleaved builds.")
    }
    else {
        $notes.Add('Make: skipped, make or cc is not installed.')
    }
    $notes.Add('Containment: filter and cgroup launches as medians of per-batch ratios, through the test-only settings LANDLOCKPS_TEST_NO_EMULATION and LANDLOCKPS_TEST_NO_CGROUP.')
}

if ($Scenario -contains 'Trace') {
    # A shell script that starts 40 programs which open, list and write files (about 2,000 traced
    # calls), confined by the same ruleset, traced and not, in interleaved rounds.
    $traceDir = Join-Path ([IO.Path]::GetTempPath()) "landlockps-bench-trace-$PID"
    $null = New-Item -ItemType Directory $traceDir
    try {
        $traceRules = $rs.Clone() | Add-LandlockPathRule -LiteralPath $traceDir -Access ReadWrite -PassThru |
            Add-LandlockPathRule -Path /dev/null -Access ReadFile, WriteFile -PassThru
        $script = 'i=0; while [ $i -lt 20 ]; do cat /etc/hostname /etc/passwd > out.txt; ls -l /usr/bin > list.txt; i=$((i+1)); done'
        $untraced = { $null = Invoke-Sandboxed -Ruleset $traceRules -WorkingDirectory $traceDir /bin/sh -- -c $script }
        $explained = { $null = Invoke-Sandboxed -Ruleset $traceRules -WorkingDirectory $traceDir -ExplainDenials /bin/sh -- -c $script 3>$null }
        $traced = { $null = Trace-LandlockAccess -Ruleset $traceRules -WorkingDirectory $traceDir /bin/sh -- -c $script }
        $calls = (Trace-LandlockAccess -Ruleset $traceRules -WorkingDirectory $traceDir /bin/sh -- -c $script | Measure-Object Count -Sum).Sum
        $null = Measure-PerCall $untraced 2; $null = Measure-PerCall $explained 2; $null = Measure-PerCall $traced 2
        $vsExplain = Compare-Batches $explained $untraced 1 $TraceRounds
        $vsTrace = Compare-Batches $traced $untraced 1 $TraceRounds
        Add-Result 'Invoke-Sandboxed -ExplainDenials (sh: 40 programs)' ('{0:N0} ms' -f $vsExplain.Measured) 'the same run untraced' ('{0:N0} ms' -f $vsExplain.Baseline) $vsExplain.Ratio '<= 3'
        Add-Result 'Trace-LandlockAccess -Ruleset (sh: 40 programs)' ('{0:N0} ms' -f $vsTrace.Measured) 'the same run untraced' ('{0:N0} ms' -f $vsTrace.Baseline) $vsTrace.Ratio '<= 3'
        $notes.Add("Trace: a shell loop of 20 x (cat /etc/hostname /etc/passwd; ls -l /usr/bin), $calls recorded calls per run; median of $TraceRounds interleaved rounds.")
    }
    finally {
        Remove-Item $traceDir -Recurse -Force
    }
}

if ($Scenario -contains 'Throughput') {
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
    Add-Result "confined cat, $ThroughputMiB MiB, -AsByteStream" ('{0:N0} MiB/s' -f $confinedMiBs) 'unconfined cat, same chunks and consumer' ('{0:N0} MiB/s' -f $plainMiBs) ($confinedMiBs / $plainMiBs) '>= 0.9'
    $notes.Add('Throughput: median of 3.')
}

if ($Scenario -contains 'Block') {
    # Script blocks: a one-shot confined block against a fresh unconfined pwsh and a background job, interleaved.
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
    Add-Result 'Invoke-Sandboxed { 1 }' ('{0:N0} ms' -f (Get-Median $blockMs)) 'pwsh -NoProfile -c 1' ('{0:N0} ms' -f (Get-Median $pwshMs)) (Get-Median $blockRatios) '<= 1.0'
    Add-Result 'Invoke-Sandboxed { 1 }' ('{0:N0} ms' -f (Get-Median $blockMs)) 'Start-Job { 1 } | Receive-Job -Wait' ('{0:N0} ms' -f (Get-Median $jobMs)) ((Get-Median $blockMs) / (Get-Median $jobMs))
    $notes.Add("Blocks: median of $BlockRounds interleaved runs.")
}

# Sessions: a confined session against PowerShell's own out-of-process session (the same `pwsh -s`,
# unconfined, over PowerShell's own transport), side by side in this pwsh.
function New-OwnSession {
    $runspace = [runspacefactory]::CreateOutOfProcessRunspace($null)
    $runspace.Open()
    [System.Management.Automation.Runspaces.PSSession]::Create($runspace, 'OutOfProcess', $null)
}

function Close-Session($Session) {
    if ($Session.Transport -eq 'LandlockPS') { Remove-PSSession -Session $Session }
    else { $Session.Runspace.Dispose() }
}

# The same call into both sessions, one call at a time, alternating which goes first, so that
# even short swings in the machine's load land on both. $Call takes the session.
function Measure-Alternating([scriptblock] $Call, $Confined, $Own, [int] $Count, [int] $Offset) {
    $clock = [Diagnostics.Stopwatch]::new()
    $ms = @{ Confined = 0.0; Own = 0.0 }
    $sessions = @{ Confined = $Confined; Own = $Own }
    for ($i = 0; $i -lt $Count; $i++) {
        foreach ($side in $(if (($i + $Offset) % 2) { 'Own', 'Confined' } else { 'Confined', 'Own' })) {
            $clock.Restart()
            & $Call $sessions[$side]
            $ms[$side] += $clock.Elapsed.TotalMilliseconds
        }
    }
    [pscustomobject]@{ Confined = $ms.Confined / $Count; Own = $ms.Own / $Count }
}

function Get-Comparison([object[]] $Batches) {
    [pscustomobject]@{
        Measured = Get-Median $Batches.Confined
        Baseline = Get-Median $Batches.Own
        Ratio = Get-Median ($Batches | ForEach-Object { $_.Confined / $_.Own })
    }
}

function Compare-Sessions([scriptblock] $Call, $Confined, $Own, [int] $Count, [int] $Batches) {
    Get-Comparison @(for ($r = 0; $r -lt $Batches; $r++) { Measure-Alternating $Call $Confined $Own $Count $r })
}

# A new session's first calls: both opened afresh each round (alternating which first).
function Compare-FirstCalls([scriptblock] $Call, [int] $Calls, [int] $Rounds) {
    Get-Comparison @(for ($r = 0; $r -lt $Rounds; $r++) {
        $sessions = @{ Confined = $null; Own = $null }
        try {
            foreach ($side in $(if ($r % 2) { 'Own', 'Confined' } else { 'Confined', 'Own' })) {
                $sessions[$side] = if ($side -eq 'Own') { New-OwnSession } else { New-LandlockSession -Ruleset $rs }
            }
            Measure-Alternating $Call $sessions.Confined $sessions.Own $Calls $r
        }
        finally {
            $sessions.Values | Where-Object { $_ } | ForEach-Object { Close-Session $_ }
        }
    })
}

# What this pwsh holds after a full collection: its managed heap (live objects), and its anonymous
# resident memory (the managed heap, thread stacks, native allocations), after an aggressive
# collection, which gives back what the collector keeps committed beyond the live objects: that
# follows how much garbage was made lately, not what the open sessions hold. As it is after an
# ordinary full collection too, for information. Sessions closed just before (the batch's first)
# let go of what they held over the next moments, on other threads: the collections repeat until
# the live heap stops shrinking, so that does not count against the sessions opened next.
function Get-CallerMemory {
    $live = [long]::MaxValue
    for ($round = 0; $round -lt 20; $round++) {
        [GC]::Collect()
        [GC]::WaitForPendingFinalizers()
        [GC]::Collect()
        $now = [GC]::GetTotalMemory($false)
        if ($live - $now -lt 16KB) { break }
        $live = $now
        Start-Sleep -Milliseconds 200
    }
    $kept = Get-AnonymousResident
    [GC]::Collect(2, [GCCollectionMode]::Aggressive, $true, $true)
    [pscustomobject]@{ Managed = [GC]::GetTotalMemory($true); Anon = Get-AnonymousResident; Kept = $kept }
}

function Get-AnonymousResident { [long](((Get-Content /proc/self/status) -match '^RssAnon:')[0] -replace '\D') * 1KB }

# The growth per session of $Count sessions open at once, each having answered one call.
function Measure-SessionMemory([scriptblock] $Open, [int] $Count) {
    $before = Get-CallerMemory
    $sessions = [Collections.Generic.List[object]]::new()
    try {
        for ($i = 0; $i -lt $Count; $i++) {
            $sessions.Add((& $Open))
            & $callOne $sessions[-1]
        }
        $after = Get-CallerMemory
    }
    finally {
        $sessions | ForEach-Object { Close-Session $_ }
    }
    [pscustomobject]@{
        Managed = ($after.Managed - $before.Managed) / $Count
        Anon = ($after.Anon - $before.Anon) / $Count
        Kept = ($after.Kept - $before.Kept) / $Count
    }
}

# The Session scenario again, in a pwsh of its own put in a new cgroup of the cpu controller below the
# root (v1, or v2 where the root hands cpu down), where autogroups do not apply: its results, for
# information, marked as such. Skipped, saying why, where no such cgroup can be made.
function Measure-InCpuGroup {
    $cpuRoot = Get-Content /proc/mounts | ForEach-Object {
        $f = $_ -split ' '
        if (($f[2] -eq 'cgroup' -and ($f[3] -split ',') -contains 'cpu') -or
            ($f[2] -eq 'cgroup2' -and ((Get-Content (Join-Path $f[1] cgroup.subtree_control) -ErrorAction Ignore) -split ' ') -contains 'cpu')) { $f[1] }
    } | Select-Object -First 1
    $group = if ($cpuRoot) { Join-Path $cpuRoot "landlockps-bench-$PID" }
    try { $null = New-Item -ItemType Directory $group -ErrorAction Stop }
    catch {
        $notes.Add("Sessions in a cpu cgroup below the root: skipped, $(if ($cpuRoot) { "no cgroup can be made in $cpuRoot ($($_.Exception.Message))" } else { 'no cpu cgroup controller is mounted' }).")
        return
    }
    try {
        $json = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $PSCommandPath -CpuGroup $group -SessionWarmup $SessionWarmup -SessionRounds $SessionRounds
        if ($LASTEXITCODE -ne 0) { throw "the session scenario in $group failed ($LASTEXITCODE): $json" }
        foreach ($r in ($json | Select-Object -Last 1 | ConvertFrom-Json)) {
            Add-Result "$($r.Scenario), this pwsh in a cpu cgroup below the root" $r.Value $r.Baseline $r.BaselineValue $r.Ratio
        }
        $notes.Add('Sessions in a cpu cgroup below the root: the same scenario in a pwsh of its own put in a new cgroup of the cpu controller, where autogroups do not apply and the confined pwsh shares its caller''s scheduling group (so its pool threads spin).')
    }
    finally {
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ((Test-Path $group) -and [DateTime]::UtcNow -lt $deadline) {
            try { [IO.Directory]::Delete($group) } catch [IO.IOException] { Start-Sleep -Milliseconds 50 }
        }
    }
}

$callOne = { param($s) $null = Invoke-Command -Session $s { 1 } }
$callBulk = { param($s) if ((Invoke-Command -Session $s { 1..2000 }).Count -ne 2000) { throw 'the bulk call lost objects' } }
# 10 MiB of input: 10,240 strings of 1 KiB each, piped in.
$inputItems = if ($Scenario -contains 'Session') { [string[]]@(foreach ($i in 1..10240) { ([string]$i).PadRight(1KB, 'x') }) }
$callInput = { param($s) if (($inputItems | Invoke-Command -Session $s { $n = 0; foreach ($i in $input) { $n += $i.Length }; $n }) -ne 10MB) { throw 'the input call lost input' } }

if ($Scenario -contains 'Session') {
    $confinedSession = New-LandlockSession -Ruleset $rs
    $ownSession = New-OwnSession
    try {
        # Tiered compilation (in this pwsh and in each child) settles only after some hundreds of calls.
        for ($i = 0; $i -lt $SessionWarmup; $i++) {
            & $callOne $confinedSession
            & $callOne $ownSession
        }
        $call = Compare-Sessions $callOne $confinedSession $ownSession 50 $SessionRounds
        $null = Compare-Sessions $callBulk $confinedSession $ownSession 1 2
        $bulk = Compare-Sessions $callBulk $confinedSession $ownSession 2 $SessionRounds
        $null = Compare-Sessions $callInput $confinedSession $ownSession 1 2
        $sent = Compare-Sessions $callInput $confinedSession $ownSession 1 $SessionRounds
    }
    finally {
        Close-Session $confinedSession
        Close-Session $ownSession
    }
    $own = "PowerShell's own out-of-process session"
    Add-Result "Invoke-Command -Session `$confined { 1 }, after $SessionWarmup warm-up calls" ('{0:N2} ms' -f $call.Measured) $own ('{0:N2} ms' -f $call.Baseline) $call.Ratio '<= 1.0'
    Add-Result 'Invoke-Command -Session $confined { 1..2000 }' ('{0:N1} ms' -f $bulk.Measured) $own ('{0:N1} ms' -f $bulk.Baseline) $bulk.Ratio '<= 1.0'
    Add-Result '10 MiB of input (10,240 strings of 1 KiB) | Invoke-Command -Session $confined' ('{0:N0} ms' -f $sent.Measured) $own ('{0:N0} ms' -f $sent.Baseline) $sent.Ratio '<= 1.0'
    $notes.Add("Sessions: median of $SessionRounds interleaved batches, after $SessionWarmup warm-up calls each.")
    # A confined child leads a session of its own (it must not share the caller's terminal). With
    # autogroups on and this pwsh in the root cpu group, that session is a scheduling group of its own.
    if ([LandlockPS.Core.Sandbox.ChildScheduling]::IsApartFromCaller()) {
        $notes.Add('Sessions: the confined pwsh is scheduled apart from this pwsh here (it leads a session of its own, which autogroups make a scheduling group of its own for tasks in the root cpu group), while PowerShell''s own shares this pwsh''s group; so its idle pool threads do not spin, which would take CPU from the caller. Where a child shares its caller''s cpu group (a container''s, a systemd unit''s with CPU weights; or autogroups off) they spin as the own server''s do: per call measured 0.92-1.04 there, against 1.02-1.23 without the spin.')
    }
    else {
        $notes.Add('Sessions: the confined pwsh shares this pwsh''s scheduling group here, as PowerShell''s own does, so its idle pool threads spin as the own server''s do.')
    }
    if (-not $CpuGroup -and [LandlockPS.Core.Sandbox.ChildScheduling]::IsApartFromCaller()) { Measure-InCpuGroup }
}

if ($Scenario -contains 'FirstCalls') {
    $first = Compare-FirstCalls $callOne 100 $FirstCallRounds
    Add-Result "Invoke-Command -Session `$confined { 1 }, a new session's first 100 calls" ('{0:N2} ms' -f $first.Measured) "PowerShell's own, new too" ('{0:N2} ms' -f $first.Baseline) $first.Ratio '<= 1.0'
    $notes.Add("First calls: median of $FirstCallRounds rounds, each with two new sessions whose calls alternate.")
}

if ($MemoryBatch) {
    # One batch in this fresh pwsh: a first batch of the same kind grows the heap, the allocator's
    # arenas and the compiled code to their working size; the second is measured.
    $open = if ($MemoryBatch -eq 'Own') { { New-OwnSession } } else { { New-LandlockSession -Ruleset $rs } }
    $null = Measure-SessionMemory $open $MemorySessions
    Measure-SessionMemory $open $MemorySessions | ConvertTo-Json -Compress
    return
}

if ($Scenario -contains 'Memory') {
    # Batches of one kind of session, then of the other, alternating which goes first, each in a
    # pwsh of its own.
    $memory = @{ Confined = [Collections.Generic.List[object]]::new(); Own = [Collections.Generic.List[object]]::new() }
    $pwsh = Join-Path $PSHOME 'pwsh'
    for ($r = 0; $r -lt $MemoryRounds; $r++) {
        foreach ($side in $(if ($r % 2) { 'Own', 'Confined' } else { 'Confined', 'Own' })) {
            $json = & $pwsh -NoProfile -NonInteractive -File $PSCommandPath -MemoryBatch $side -MemorySessions $MemorySessions
            if ($LASTEXITCODE -ne 0) { throw "a memory batch failed ($LASTEXITCODE): $json" }
            $memory[$side].Add(($json | Select-Object -Last 1 | ConvertFrom-Json))
        }
    }
    $kinds = [ordered]@{
        Managed = 'managed heap', '<= 1.1'
        Anon = 'anonymous resident memory', '<= 1.1'
        Kept = 'anonymous resident memory, with what the collector keeps committed', '(info)'
    }
    foreach ($kind in $kinds.Keys) {
        $c = Get-Median $memory.Confined.$kind
        $o = Get-Median $memory.Own.$kind
        ($what, $target) = $kinds[$kind]
        Add-Result "caller's $what per open confined session" ('{0:N0} KiB' -f ($c / 1KB)) "per open session of PowerShell's own" ('{0:N0} KiB' -f ($o / 1KB)) ($c / $o) $target
    }
    $notes.Add("Memory: median of $MemoryRounds batches of $MemorySessions sessions open at once, each batch in a pwsh of its own after a first batch of the same kind, measured after an aggressive full collection (and, for information, an ordinary one).")
}

if ($CpuGroup) {
    ConvertTo-Json -Compress -InputObject @($results)
    return
}

foreach ($r in $results) {
    $verdict = if ($null -eq $r.Met) { '' } elseif ($r.Met -is [string]) { $r.Met } elseif ($r.Met) { 'met' } else { 'NOT met' }
    '{0}: {1}  vs  {2}: {3}  ->  ratio {4} (target {5}) {6}' -f $r.Scenario, $r.Value, $r.Baseline, $r.BaselineValue, $r.Ratio, $r.Target, $verdict
}
($notes -join ' ') + ' Ratios are the result; absolute numbers vary with the machine''s load.'
