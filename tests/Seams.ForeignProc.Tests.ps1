# A caller in a PID namespace whose /proc is another namespace's (unshare --pid --fork without
# --mount-proc): there, /proc/<pid> under the caller's own pids shows other processes, while
# /proc/self is still the caller. The module must never take one for the other: not to name (and
# later sweep) its runs' cgroups, not to read a traced call's program and folders. Each probe has a
# twin in a namespace with its own /proc.
BeforeDiscovery {
    # unshare (util-linux) and the right to make a PID namespace (root, here).
    $script:CannotUnshare = -not (Get-Command unshare -CommandType Application -ErrorAction Ignore) -or
        $(& unshare -pf /bin/true 2>$null; $LASTEXITCODE -ne 0)
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Pwsh = Join-Path $PSHOME 'pwsh'
    $script:Module = Join-Path $RepoRoot 'LandlockPS.psd1'

    # Runs $Script in a fresh pwsh, the first process of a new PID namespace, with its own /proc or
    # with the caller's; returns its output lines.
    function script:Invoke-InPidNamespace([string] $Script, [switch] $OwnProc) {
        $file = Join-Path $TestDrive "in-namespace-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $file -Value ("Import-Module '$Module'`n" + $Script)
        [string[]] $options = if ($OwnProc) { '-pf', '--mount-proc' } else { '-pf' }
        & unshare @options $Pwsh -NoProfile -NonInteractive -File $file 2>&1 | ForEach-Object { "$_" }
    }

    # Prints this pwsh's own start time, what /proc shows under its pid, and the cgroup of a run.
    $script:NamingProbe = @'
"own-start-$(((Get-Content /proc/self/stat) -split ' ')[21])"
"pid-start-$(((Get-Content "/proc/$PID/stat" -ErrorAction Ignore) -split ' ')[21])"
New-LandlockRuleset -Abi V7 | Add-LandlockPathRule /usr, /etc, /lib, /lib64 ReadExecute -IgnoreMissing -PassThru |
    Add-LandlockPathRule /proc ReadFile -PassThru | Invoke-Sandboxed /bin/cat /proc/self/cgroup
"containment-$((Get-LandlockAbi).Containment)"
'@

    $script:TraceProbe = @'
$rules = New-LandlockRuleset -Abi V7 | Add-LandlockPathRule /usr, /etc, /lib, /lib64 ReadExecute -IgnoreMissing -PassThru
try {
    $null = Trace-LandlockAccess -Ruleset $rules /bin/cat /etc/hostname -ErrorAction Stop
    'traced'
}
catch {
    "refused $($_.FullyQualifiedErrorId) $($_.CategoryInfo.Category) $($_.Exception.Message)"
}
'@
}

Describe 'A caller in a PID namespace whose /proc shows another namespace' -Skip:$CannotUnshare {
    It 'names its runs'' cgroups after itself, not after the process /proc shows under its pid' {
        $twin = Invoke-InPidNamespace $NamingProbe -OwnProc
        if (-not ($twin -match '^containment-ControlGroup')) {
            Set-ItResult -Skipped -Because "runs here are not held by cgroups ($($twin -match '^containment-'))"
            return
        }
        $out = Invoke-InPidNamespace $NamingProbe
        $own = ($out -match '^own-start-(\d+)$') -replace 'own-start-'
        $own | Should -Match '^\d+$'
        # The probe is real: /proc shows some other process (the first one of the machine) under this pid.
        ($out -match '^pid-start-') | Should -Not -Be "pid-start-$own"
        # A cgroup is named pidns-pid-starttime-sequence: the start time is this pwsh's own.
        @($out -match "^0::/.*landlockps-\d+-1-$own-\d+$").Count | Should -Be 1
        # The twin, with a /proc of its own, names the same way.
        $twinOwn = ($twin -match '^own-start-(\d+)$') -replace 'own-start-'
        $twin | Should -Contain "pid-start-$twinOwn"
        @($twin -match "^0::/.*landlockps-\d+-1-$twinOwn-\d+$").Count | Should -Be 1
    }

    It 'refuses to trace, saying why (TraceNotSupported), where its twin with its own /proc traces' {
        if (-not [LandlockPS.Core.Observe.AccessObserver]::IsSupported) {
            Set-ItResult -Skipped -Because 'this kernel cannot trace at all (no seccomp user notifications)'
            return
        }
        $refused = Invoke-InPidNamespace $TraceProbe
        $refused | Should -BeLike 'refused TraceNotSupported,LandlockPS.Commands.TraceLandlockAccessCommand NotImplemented Cannot trace a run: /proc here belongs to another PID namespace*mount this namespace''s own /proc*'
        Invoke-InPidNamespace $TraceProbe -OwnProc | Should -Contain 'traced'
    }
}
