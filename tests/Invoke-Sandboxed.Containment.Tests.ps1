BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Id = 'LandlockPS.Commands.InvokeSandboxedCommand'
    $script:Sys = New-SystemRuleset
    # A grandchild in a session of its own whose parent is gone (setsid and a double fork): it
    # prints its pid once it has left (the command substitution ends when it lets go of the pipe),
    # then sleeps.
    $script:Escape = 'pid=$( setsid sh -c ''echo $$; exec sleep 300 >/dev/null 2>&1'' </dev/null 2>/dev/null & ); echo $pid'

    # The start of a script for another pwsh, a caller: the module, a ruleset like $Sys ($rs), a session of it ($s).
    $script:CallerWithSession = @"
Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'
`$rs = New-LandlockRuleset -Abi V7 | Add-LandlockPathRule -Path /usr, /bin, /lib, /lib64, /etc -Access ReadExecute -IgnoreMissing -PassThru |
    Add-LandlockPathRule -Path /dev/null -Access ReadFile, WriteFile -PassThru
`$s = New-LandlockSession -Ruleset `$rs

"@ # (the blank line ends the last line: what is added after it starts a line of its own)

    # Runs Invoke-Sandboxed (these parameters, and $Sys) in another pipeline, stops it as Ctrl+C
    # does once it has printed a line (a pid, checked alive then), and returns that pid.
    function script:Stop-AfterFirstLine([hashtable] $Parameters) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument((Join-Path $RepoRoot 'LandlockPS.psd1')).Invoke()
            $ps.Commands.Clear()
            $null = $ps.AddCommand('Invoke-Sandboxed').AddParameter('Ruleset', $Sys).AddParameters($Parameters)
            $none = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $none.Complete() # no pipeline input, so the output streams as the run writes it
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $async = $ps.BeginInvoke($none, $output)
            $deadline = [DateTime]::UtcNow.AddSeconds(60) # a hang guard
            while ($output.Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $escapee = [int]"$($output[0])"
            Test-ProcessAlive $escapee | Should -BeTrue
            $ps.Stop()
            $async.IsCompleted | Should -BeTrue
            $escapee
        }
        finally { $ps.Dispose() }
    }

    # The pid a run printed first, from a pipeline that may also hold a result and records.
    function script:Get-Escapee([object[]] $Output) {
        [int]($Output | Where-Object { $_ -is [string] -and $_ -match '^\d+$' } | Select-Object -First 1)
    }
}

Describe 'No process outlives an Invoke-Sandboxed run' {
    AfterEach {
        Remove-Item Env:LANDLOCKPS_TEST_NO_CGROUP -ErrorAction Ignore
    }

    Context 'a program' {
        It 'ends a process that left the session when the program exits, and says what held it' {
            $out = $Sys | Invoke-Sandboxed sh '-c', $Escape -PassThru -Verbose 4>&1
            $escapee = Get-Escapee $out
            $escapee | Should -BeGreaterThan 0
            Test-ProcessAlive $escapee | Should -BeFalse
            $result = $out | Where-Object { $_ -is [LandlockPS.Core.Sandbox.SandboxResult] }
            $result.Containment | Should -Be 'ControlGroup'
            $result.ContainmentDetail | Should -Match '^/.+/landlockps-\d+-\d+-\d+-\d+$'
            $result.ContainmentDetail | Should -Not -Exist
            "$($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })" | Should -Match 'Contained by the cgroup /.+/landlockps-'
            ($result | Out-String) | Should -Match 'Containment\s+: cgroup /'
        }

        It 'ends every process of the run after -TimeoutSec, and says so' {
            $out = $Sys | Invoke-Sandboxed sh '-c', "$Escape; sleep 300" -TimeoutSec 1 -ErrorVariable ev -ErrorAction SilentlyContinue
            Test-ProcessAlive (Get-Escapee $out) | Should -BeFalse
            $ev[0].FullyQualifiedErrorId | Should -Be "TimeoutExceeded,$Id"
            $ev[0].Exception.Message | Should -Match 'every process it started was killed'
        }

        It 'ends every process of the run on Ctrl+C' {
            Test-ProcessAlive (Stop-AfterFirstLine @{ FilePath = 'sh'; ArgumentList = @('-c', "$Escape; sleep 300") }) | Should -BeFalse
        }

        It 'falls back to the process group visibly where no cgroup can be used, and that group ends with the run' {
            $env:LANDLOCKPS_TEST_NO_CGROUP = '1'
            $out = $Sys | Invoke-Sandboxed sh '-c', "$Escape; sleep 300 >/dev/null 2>&1 & echo `$!" -PassThru -Verbose 4>&1
            $escapee, $member = $out | Where-Object { $_ -is [string] } | ForEach-Object { [int]$_ }
            try {
                $result = $out | Where-Object { $_ -is [LandlockPS.Core.Sandbox.SandboxResult] }
                $result.Containment | Should -Be 'ProcessGroup'
                $result.ContainmentDetail | Should -Match 'LANDLOCKPS_TEST_NO_CGROUP'
                "$($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })" | Should -Match 'Contained by the process group only \(the test setting'
                ($result | Out-String) | Should -Match 'Containment\s+: process group only: the test setting'
                # The documented difference: the group's member ends with the run, the process that left it does not.
                Test-ProcessAlive $member | Should -BeFalse
                Test-ProcessAlive $escapee | Should -BeTrue
            }
            finally { Stop-Process -Id $escapee -ErrorAction Ignore }
        }
    }

    Context 'a sandbox that may write the cgroup file system' {
        BeforeAll {
            $script:Cgroups = (& findmnt -n -t cgroup2 -o TARGET | Select-Object -First 1)
            # Moves itself into the root cgroup, then leaves a process behind: it prints "moved" and the pid.
            $script:Move = "echo `$`$ > $Cgroups/cgroup.procs && echo moved; $Escape"
            $script:Warned = [regex]::Escape("may write the cgroup file system $Cgroups")

            # Runs $Ruleset (script text making it, in common.ps1's terms) | Invoke-Sandboxed sh -c $Move in
            # a new session: the warning is shown once per session.
            function script:Invoke-Move([string] $Ruleset) {
                Invoke-InNewSession ([scriptblock]::Create(
                    ". '$PSScriptRoot/common.ps1'; $Ruleset | Invoke-Sandboxed sh -- -c '$($Move -replace "'", "''")' 2>`$null"))
            }
        }

        It 'is warned that a process it starts can leave its cgroup and outlive the run, where WriteFile is not handled' {
            $run = Invoke-Move ('New-LandlockRuleset -Abi V7 -HandledAccessFs Execute, ReadFile, ReadDir | ' +
                'Add-LandlockPathRule -Path /usr, /bin, /lib, /lib64, /etc, /dev -Access ReadExecute -IgnoreMissing -PassThru')
            $escapee = Get-Escapee $run.Output
            try {
                # The control: what the warning says is true, the process did leave.
                $run.Output | Should -Contain 'moved'
                Test-ProcessAlive $escapee | Should -BeTrue
                ($run.Warnings -join "`n") | Should -Match $Warned
                ($run.Warnings -join "`n") | Should -Match 'outlive the run'
            }
            finally { Stop-Process -Id $escapee -Force -ErrorAction Ignore }
        }

        It 'is warned that it can move another process into its run, which the end of the run kills' {
            $victim = Start-Process sleep 300 -PassThru
            try {
                $pull = "cg=`$(sed -n 's/^0:://p' /proc/self/cgroup); echo $($victim.Id) > $Cgroups`$cg/cgroup.procs && echo pulled"
                $run = Invoke-InNewSession ([scriptblock]::Create(". '$PSScriptRoot/common.ps1'; New-LandlockRuleset -Abi V7 -HandledAccessFs Execute, ReadFile, ReadDir | " +
                    "Add-LandlockPathRule -Path /usr, /bin, /lib, /lib64, /etc, /dev, /proc -Access ReadExecute -IgnoreMissing -PassThru | " +
                    "Invoke-Sandboxed sh -- -c '$($pull -replace "'", "''")'"))
                # The control: what the warning says is true, the process pulled in died with the run.
                $run.Output | Should -Contain 'pulled'
                $victim.WaitForExit(30000) | Should -BeTrue
                ($run.Warnings -join "`n") | Should -Match 'move any other process into it, which the end of the run then kills'
            }
            finally { if (-not $victim.HasExited) { $victim.Kill() } }
        }

        It 'is warned where a rule grants WriteFile <Where> the cgroup file system' -TestCases @(
            @{ Where = 'above'; Target = '/sys' }
            @{ Where = 'within'; Target = 'cgroup.procs' }
        ) {
            $path = if ($Where -eq 'within') { "$Cgroups/$Target" } else { $Target }
            $run = Invoke-Move "New-SystemRuleset | Add-LandlockPathRule -Path '$path' -Access WriteFile -PassThru"
            ($run.Warnings -join "`n") | Should -Match $Warned
            Get-Escapee $run.Output | ForEach-Object { Stop-Process -Id $_ -Force -ErrorAction Ignore }
        }

        It 'is not warned where the ruleset handles WriteFile and grants it elsewhere, and cannot leave' {
            $run = Invoke-Move 'New-SystemRuleset'
            $run.Output | Should -Not -Contain 'moved'
            Test-ProcessAlive (Get-Escapee $run.Output) | Should -BeFalse
            $run.Warnings | Should -BeNullOrEmpty
        }
    }

    Context 'a caller whose cgroup mountinfo only claims' {
        # Outside its cgroup namespace (unshare -C, then moved from outside to a sibling cgroup), a
        # caller's cgroup path starts with /..; mounting cgroup2 again in its namespace hides the first
        # mount, whose mountinfo line still comes first and would lead to another folder (a decoy here).
        It 'makes its runs'' cgroups only in the folder that holds it: <Case>' -TestCases @(
            @{ Case = 'moved out of its namespace'; Remount = $false }
            @{ Case = 'moved out, with its namespace''s own cgroup2 mount over the first'; Remount = $true }
        ) {
            foreach ($tool in 'unshare', 'mount', 'findmnt') {
                if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) { Set-ItResult -Skipped -Because "$tool is not installed"; return }
            }
            $unified = & findmnt -n -t cgroup2 -o TARGET | Select-Object -First 1
            $a = "$unified/llps-test-a-$PID"; $b = "$unified/llps-test-b-$PID"; $decoy = "$a/llps-test-b-$PID"
            try { $null = New-Item -ItemType Directory $a, $b, $decoy -ErrorAction Stop }
            catch { Set-ItResult -Skipped -Because "no cgroup can be made in $unified by this user ($($_.Exception.Message))"; return }
            $ready = Join-Path $TestDrive "ready-$Remount"; $go = Join-Path $TestDrive "go-$Remount"
            try {
                $inner = "Set-Content '$ready' `$PID; while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 20 }; Import-Module '$RepoRoot/LandlockPS.psd1'; " +
                    "'containment=' + (Get-LandlockAbi).Containment; 'detail=' + (New-LandlockRuleset -Abi V7 | Add-LandlockPathRule -Path /usr, /bin, /lib, /lib64, /etc -Access ReadExecute -IgnoreMissing -PassThru | Invoke-Sandboxed -FilePath /bin/true -PassThru).ContainmentDetail"
                $remount = if ($Remount) { "mount -t tmpfs none $unified && mount -t cgroup2 none $unified && " } else { '' }
                $shell = "echo `$`$ > $a/cgroup.procs && exec unshare -C -m sh -c '$remount exec `"`$0`" -NoProfile -NonInteractive -Command `"`$1`"' '$(Join-Path $PSHOME pwsh)' `"`$1`""
                $start = [Diagnostics.ProcessStartInfo]::new('sh', [string[]]@('-c', $shell, 'sh', $inner))
                $start.RedirectStandardOutput = $true
                $caller = [Diagnostics.Process]::Start($start)
                $read = $caller.StandardOutput.ReadToEndAsync()
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                # The file exists before its pid is in it: wait for the pid.
                while (-not ((Test-Path $ready) -and (Get-Content $ready)) -and -not $caller.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                if (-not ((Test-Path $ready) -and (Get-Content $ready))) { $caller.Kill($true); throw "the caller did not start: $($read.Result)" }
                Set-Content "$b/cgroup.procs" (Get-Content $ready) -ErrorAction Stop
                Set-Content $go ''
                if (-not $caller.WaitForExit(120000)) { $caller.Kill($true); throw 'the caller did not end within 2 minutes' }
                $out = @($read.Result -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ })
                $refused = "no cgroup v2 mount shows this process's cgroup /../llps-test-b-$PID, or the folder it shows does not hold this process"
                if ($Remount) {
                    # The folder the first line leads to is on the other mount, and does not hold it.
                    $out | Should -Contain "containment=ProcessGroup: $refused." -Because ($out -join '; ')
                    $out | Should -Contain "detail=$refused" -Because ($out -join '; ')
                }
                else {
                    # The control: where the path is right, it is used.
                    $out | Should -Contain "containment=ControlGroup: each run gets a cgroup of its own below $b"
                    ($out -match "^detail=$([regex]::Escape($b))/landlockps-") | Should -Not -BeNullOrEmpty -Because ($out -join '; ')
                }
                @(Get-ChildItem -Directory $decoy) | Should -BeNullOrEmpty -Because 'nothing is made in the decoy'
                @(Get-ChildItem -Directory $b) | Should -BeNullOrEmpty -Because 'a run''s cgroup goes with it'
            }
            finally { Remove-Cgroup $decoy, $a, $b }
        }
    }

    Context 'a script block' {
        It 'ends a process the block left running when the block ends' {
            $out = Invoke-Sandboxed -Ruleset $Sys { sh -c $using:Escape } -PassThru
            Test-ProcessAlive (Get-Escapee $out) | Should -BeFalse
            ($out | Where-Object { $_ -is [LandlockPS.Core.Sandbox.SandboxResult] }).Containment | Should -Be 'ControlGroup'
        }

        It 'ends it on Ctrl+C too' {
            $block = [scriptblock]::Create("sh -c '$($Escape -replace "'", "''")'; Start-Sleep 300")
            Test-ProcessAlive (Stop-AfterFirstLine @{ ScriptBlock = $block }) | Should -BeFalse
        }

        It 'ends it after -TimeoutSec too' {
            $out = Invoke-Sandboxed -Ruleset $Sys { sh -c $using:Escape; Start-Sleep 300 } -TimeoutSec 5 -ErrorAction SilentlyContinue
            Test-ProcessAlive (Get-Escapee $out) | Should -BeFalse
        }
    }

    Context 'a session' {
        It 'keeps what a command left running while the session lives, and ends it with Remove-PSSession' {
            $s = New-LandlockSession -Ruleset $Sys
            try {
                $escapee = Get-Escapee (Invoke-Command -Session $s { sh -c $using:Escape })
                Invoke-Command -Session $s { 'still here' } | Should -Be 'still here'
                Test-ProcessAlive $escapee | Should -BeTrue
            }
            finally { Remove-PSSession $s }
            Test-ProcessAlive $escapee | Should -BeFalse
        }

        It 'ends what a session and a background run left running when the caller''s pwsh exits' {
            $script = @"
`$module = '$(Join-Path $RepoRoot 'LandlockPS.psd1')'
Import-Module `$module
`$rs = New-LandlockRuleset -Abi V7 | Add-LandlockPathRule -Path /usr, /bin, /lib, /lib64, /etc -Access ReadExecute -IgnoreMissing -PassThru |
    Add-LandlockPathRule -Path /dev/null -Access ReadFile, WriteFile -PassThru
`$escape = '$($Escape -replace "'", "''")'
`$s = New-LandlockSession -Ruleset `$rs
Invoke-Command -Session `$s { sh -c `$using:escape }
`$job = Start-ThreadJob { Import-Module `$using:module; `$using:rs | Invoke-Sandboxed sh '-c', "`$using:escape; sleep 300" }
`$deadline = [DateTime]::UtcNow.AddSeconds(60) # a hang guard
while (-not (`$job | Receive-Job -Keep) -and [DateTime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 50 }
`$job | Receive-Job
exit 0
"@
            $pids = & (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -Command $script
            $LASTEXITCODE | Should -Be 0
            $pids | Should -HaveCount 2
            foreach ($escapee in $pids) { Test-ProcessAlive ([int]$escapee) | Should -BeFalse }
        }

        # pwsh crashes so when a write to its closed terminal fails (EIO) while a SIGHUP is being handled,
        # or when any thread throws what nothing catches. The runtime aborts then: no ProcessExit, no signal.
        It 'ends what a session left running, and removes its home and cgroups, when the caller''s pwsh crashes' {
            $left = Join-Path $TestDrive 'crashed'
            $script = $CallerWithSession + @"
`$escapee = Invoke-Command -Session `$s { sh -c '$($Escape -replace "'", "''")' }
`$scratch = Invoke-Command -Session `$s { `$HOME }
Add-Type -TypeDefinition 'public static class Crash { public static void Now() { var t = new System.Threading.Thread(() => throw new System.InvalidOperationException("crash")); t.Start(); t.Join(); } }'
"`$escapee", `$scratch, `$PID | Set-Content '$left'
[Crash]::Now()
"@
            & (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -Command $script 2>$null
            $LASTEXITCODE | Should -Not -Be 0 # it did crash
            $escapee, $scratch, $caller = Get-Content $left
            try {
                $scratch | Should -BeLike '*landlockps-home-*'
                Test-ProcessAlive ([int]$escapee) | Should -BeFalse
                Test-Path $scratch | Should -BeFalse
                # The caller's runs got their cgroups where this pwsh's runs get theirs: both are in one cgroup.
                $below = [LandlockPS.Core.Sandbox.SandboxedProcess]::DescribeContainment() -replace '^ControlGroup: .* below '
                Get-ChildItem $below -Directory -Filter "landlockps-*-$caller-*" | Should -BeNullOrEmpty
            }
            finally {
                Stop-Process -Id $escapee -Force -ErrorAction Ignore
                if ($scratch) { Remove-Item $scratch -Recurse -Force -ErrorAction Ignore }
            }
        }

        # SIGHUP: the terminal closed; SIGTERM: a service manager stopped it. Neither runs .NET's ProcessExit.
        It 'ends what a session left running when the caller''s pwsh is ended by <Signal>' -TestCases @(
            @{ Signal = 'SIGTERM' }
            @{ Signal = 'SIGHUP' }
        ) {
            if ($Signal -eq 'SIGHUP' -and (Test-SignalIgnored 1)) {
                Set-ItResult -Skipped -Because 'this pwsh ignores SIGHUP (as under nohup), and the caller it starts would inherit that'
                return
            }
            $pidFile = Join-Path $TestDrive "escapee-$Signal"
            $script = $CallerWithSession + @"
Invoke-Command -Session `$s { sh -c '$($Escape -replace "'", "''")' } | Set-Content '$pidFile'
Start-Sleep 300
"@
            $caller = Start-Process (Join-Path $PSHOME pwsh) -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $script -PassThru
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(60) # a hang guard
                while (-not (Test-Path $pidFile) -or -not (Get-Content $pidFile) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
                $escapee = [int](Get-Content $pidFile)
                Test-ProcessAlive $escapee | Should -BeTrue
                & kill "-$($Signal.Substring(3))" $caller.Id
                $caller.WaitForExit(30000) | Should -BeTrue
                Test-ProcessAlive $escapee | Should -BeFalse
            }
            finally { if (-not $caller.HasExited) { $caller.Kill() } }
        }

        # A host that stops gracefully (Microsoft.Extensions.Hosting, a pwsh with its own handler) cancels
        # SIGTERM's default and lives on: what it runs after that must still end when it exits. (The
        # signal's cleanup freed the cgroup made ahead for the next run, which that run then took: its
        # child could not be moved in, and it and every later run fell back to the process group.)
        # PowerShell's own exit closes the session first; a host that calls Environment.Exit does not,
        # and leaves it to the exit's own cleanup, which had already run once, at the signal.
        It 'ends what a session left running when the caller exits (<Exit>) after a SIGTERM it outlived' -TestCases @(
            @{ Exit = 'exit 0' }
            @{ Exit = '[Environment]::Exit(0)' }
        ) {
            $left = Join-Path $TestDrive 'outlived'
            $script = $CallerWithSession + @"
Add-Type -TypeDefinition 'public static class Graceful { public static System.Runtime.InteropServices.PosixSignalRegistration Hook = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => c.Cancel = true); }'
`$null = [Graceful]::Hook
kill -TERM `$PID
Start-Sleep 2
`$later = New-LandlockSession -Ruleset `$rs
Invoke-Command -Session `$later { sh -c '$($Escape -replace "'", "''")' } | Set-Content '$left'
$Exit
"@
            & (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -Command $script
            $LASTEXITCODE | Should -Be 0 # it outlived the signal, and exited
            $escapee = [int](Get-Content $left)
            try { Test-ProcessAlive $escapee | Should -BeFalse }
            finally { Stop-Process -Id $escapee -Force -ErrorAction Ignore }
        }
    }
}
