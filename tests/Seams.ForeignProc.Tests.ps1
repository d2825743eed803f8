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

    # Runs $Script as Invoke-InPidNamespace does, in a pwsh that has the same pid in the new namespace
    # as in this one (clone3 with set_tid: root), so the pid /proc/self shows is this pwsh's by chance.
    function script:Invoke-WithCoincidingPid([string] $Script) {
        $file = Join-Path $TestDrive "coinciding-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $file -Value ("Import-Module '$Module'`n" + $Script)
        $spawn = Join-Path $TestDrive spawnat
        if (-not (Test-Path $spawn)) {
            Set-Content -LiteralPath "$spawn.c" -Value $SpawnAtSource
            & cc -o $spawn "$spawn.c"
        }
        # A pid free here; taken meanwhile, clone3 says so and the next is tried.
        foreach ($candidate in 1..5) {
            $pidHere = Get-Random -Minimum 1000 -Maximum ([int](Get-Content /proc/sys/kernel/pid_max))
            if (Test-Path "/proc/$pidHere") { continue }
            $out = & unshare -pf $spawn $pidHere $Pwsh -NoProfile -NonInteractive -File $file 2>&1 | ForEach-Object { "$_" }
            if (-not ($out -match '^clone3:')) { return $out }
        }
        throw "no pid could be given to a pwsh in both namespaces: $out"
    }

    # spawnat PID PROGRAM ARGS...: runs PROGRAM with pid PID in this PID namespace and in its parent.
    $script:SpawnAtSource = @'
#define _GNU_SOURCE
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc < 3) return 2;
    pid_t tids[2] = { atoi(argv[1]), atoi(argv[1]) };
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    args.set_tid = (uint64_t)(uintptr_t)tids;
    args.set_tid_size = 2;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) { perror("clone3"); return 2; }
    if (pid == 0) { execv(argv[2], argv + 2); perror("execv"); _exit(127); }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
'@

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

    It 'refuses to trace where /proc shows its own pid by chance (the same number in the outer namespace)' {
        if (-not [LandlockPS.Core.Observe.AccessObserver]::IsSupported) {
            Set-ItResult -Skipped -Because 'this kernel cannot trace at all (no seccomp user notifications)'
            return
        }
        if (-not (Get-Command cc -CommandType Application -ErrorAction Ignore)) {
            Set-ItResult -Skipped -Because 'it needs a C compiler (cc) to start a pwsh with a chosen pid'
            return
        }
        $probe = @'
"self-$((Get-Item /proc/self).LinkTarget)-pid-$PID"
'@ + "`n" + $TraceProbe
        $out = Invoke-WithCoincidingPid $probe
        # The probe is real: /proc/self names this pwsh by the very pid it has in its own namespace.
        @($out -match '^self-(\d+)-pid-\1$').Count | Should -Be 1
        # Every other pid there is the outer namespace's: a stopped call's program and folders would be another process's.
        $out | Select-Object -Last 1 | Should -BeLike 'refused TraceNotSupported*/proc here belongs to another PID namespace*'
    }
}

# A /proc mounted with subset=pid (systemd's ProcSubset=pid, hardened containers) shows processes
# only: no /proc/sys. Runs must work there as with a full /proc, traced runs too.
Describe 'A caller whose /proc shows processes only (subset=pid)' -Skip:$CannotUnshare {
    It 'runs and traces a program as its twin with a full /proc does' {
        $probe = @'
$rules = New-LandlockRuleset -Abi V7 | Add-LandlockPathRule /usr, /etc, /lib, /lib64, /bin ReadExecute -IgnoreMissing -PassThru
"proc-sys-$(Test-Path /proc/sys)"
try { Invoke-Sandboxed -Ruleset $rules -ErrorAction Stop /bin/echo ran } catch { "failed $($_.FullyQualifiedErrorId) $($_.Exception.Message)" }
try { $null = Trace-LandlockAccess -Ruleset $rules -ErrorAction Stop /bin/true; 'traced' } catch { "failed $($_.FullyQualifiedErrorId) $($_.Exception.Message)" }
'@
        $file = Join-Path $TestDrive 'subset-pid.ps1'
        Set-Content -LiteralPath $file -Value ("Import-Module '$Module'`n" + $probe)
        $twin = & unshare -m --propagation private /bin/sh -c 'mount -t proc proc /proc && exec "$0" -NoProfile -NonInteractive -File "$1"' $Pwsh $file 2>&1 | ForEach-Object { "$_" }
        $twin | Should -Be 'proc-sys-True', 'ran', 'traced'
        $out = & unshare -m --propagation private /bin/sh -c 'mount -t proc -o subset=pid proc /proc && exec "$0" -NoProfile -NonInteractive -File "$1"' $Pwsh $file 2>&1 | ForEach-Object { "$_" }
        $out | Should -Be 'proc-sys-False', 'ran', 'traced'
    }
}
