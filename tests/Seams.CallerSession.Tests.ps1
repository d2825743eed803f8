# Why every sandboxed child leads a session of its own, even where its caller has no controlling
# terminal to hide: in the caller's session (tried once, for speed: a new session is also a new
# scheduling autogroup) a sandbox could join the caller's process group, outlive a run held by the
# process group, and orphan a group to make the kernel signal the caller's (past Landlock's signal
# scope); and telling whether the caller has a terminal can be fooled. Each probe has an unconfined twin.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Pwsh = Join-Path $PSHOME 'pwsh'
    $script:Module = Join-Path $RepoRoot 'LandlockPS.psd1'
    $script:Perl = (Get-Command perl -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source

    # A grandchild joins the caller's process group and stops; its parent, in another group of the
    # same session, exits: the caller's group is orphaned with a stopped member, so the kernel signals
    # the whole group (SIGHUP, SIGCONT; SI_KERNEL: past Landlock's signal scope). Quoted for a
    # single-quoted pwsh string.
    $script:OrphanProbe = @'
$| = 1;
setpgrp(0, 0) if getpgrp() == getpgrp(getppid());
my $g = getpgrp(getppid());
if (fork() == 0) { exit 1 unless setpgrp(0, $g); kill 'STOP', $$; exit 0 }
sleep 1;
'@ -replace "`r?`n", ' ' -replace "'", "''"

    # Runs $Script in a fresh pwsh in a session of its own with no controlling terminal (as CI, a
    # service, a harness), the module and the test helpers loaded; returns its output lines.
    function script:Invoke-WithoutTerminal([string] $Script) {
        $prelude = "Import-Module '$Module'; . '$PSScriptRoot/common.ps1'`n"
        $file = Join-Path $TestDrive "caller-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $file -Value ($prelude + $Script)
        & setsid -w $Pwsh -NoProfile -NonInteractive -File $file 2>&1 | ForEach-Object { "$_" }
    }
}

Describe 'A sandbox run by a caller without a controlling terminal' {
    It 'cannot outlive a process-group run, nor hang it past -TimeoutSec, by moving into the caller''s process group' -Skip:((Get-Command perl, setsid -CommandType Application -ErrorAction Ignore | Select-Object -Unique Name).Count -ne 2) {
        # The child itself joins the process group of its parent (the caller), prints its pid, and
        # would then sleep for ten minutes: the run must still end after -TimeoutSec 1, killing it.
        $probe = '$| = 1; my $r = setpgrp(0, getpgrp(getppid())) ? "moved" : "stayed"; print "$$ $r\n"; sleep 600'
        $out = Invoke-WithoutTerminal @"
`$env:LANDLOCKPS_TEST_NO_CGROUP = '1'
`$job = Start-ThreadJob { Import-Module '$Module'; . '$PSScriptRoot/common.ps1'; New-SystemRuleset | Invoke-Sandboxed '$Perl' '-e', '$($probe -replace "'", "''")' -TimeoutSec 1 -ErrorAction SilentlyContinue }
`$ended = [bool](Wait-Job `$job -Timeout 30) # a hang guard
`$child, `$how = "`$(`$job | Receive-Job -Keep | Select-Object -First 1)" -split ' '
"child-`$how-alive-`$(Test-ProcessAlive ([int]`$child))-run-ended-`$ended"
if (`$child) { Stop-Process -Id ([int]`$child) -ErrorAction Ignore }
`$job | Stop-Job -PassThru | Remove-Job -Force
"@
        # "moved": the child left its group (a child in a session of its own cannot: EPERM, "stayed").
        $out -join "`n" | Should -Match '(?m)^child-(moved|stayed)-alive-False-run-ended-True$'
    }

    It 'cannot make the kernel signal the caller''s process group (SIGHUP, SIGCONT of an orphaned group), which signal scoping cannot stop' -Skip:((Get-Command perl, setsid -CommandType Application -ErrorAction Ignore | Select-Object -Unique Name).Count -ne 2) {
        # POSIX sends SIGHUP first, to every member (it would end the caller's pwsh); Linux 6.18 was
        # seen to send it to the stopped members only.
        $bystander = '$SIG{HUP} = sub { syswrite STDOUT, "bystander-hungup\n" }; $SIG{CONT} = sub { syswrite STDOUT, "bystander-continued\n" }; sleep 6; sleep 1'
        $script = @"
`$rs = New-SystemRuleset
`$psi = [Diagnostics.ProcessStartInfo]::new('$Perl')
`$psi.ArgumentList.Add('-e'); `$psi.ArgumentList.Add('$($bystander -replace "'", "''")'); `$psi.RedirectStandardOutput = `$true
`$bystander = [Diagnostics.Process]::Start(`$psi)
Start-Sleep -Milliseconds 500
RUN
`$bystander.WaitForExit()
`$bystander.StandardOutput.ReadToEnd()
"@
        # The twin: the same program, unconfined (its own group, same session), continues the bystander.
        $twin = Invoke-WithoutTerminal $script.Replace('RUN', "& '$Perl' -e '$OrphanProbe'")
        $twin | Should -Contain 'bystander-continued'
        $sandboxed = Invoke-WithoutTerminal $script.Replace('RUN', "`$null = `$rs | Invoke-Sandboxed '$Perl' '-e', '$OrphanProbe'")
        $sandboxed | Should -Not -Contain 'bystander-continued'
        $sandboxed | Should -Not -Contain 'bystander-hungup'
    }

    It 'cannot hang up a process the caller stopped in its process group (SIGHUP of an orphaned group)' -Skip:((Get-Command perl, setsid, sleep, kill -CommandType Application -ErrorAction Ignore | Select-Object -Unique Name).Count -ne 4) {
        if (Test-SignalIgnored 1) {
            Set-ItResult -Skipped -Because 'this pwsh ignores SIGHUP (as under nohup): the stopped process it starts would ignore the hangup, unconfined too'
            return
        }
        $script = @"
`$helper = [Diagnostics.Process]::Start('sleep', '60')
Start-Sleep -Milliseconds 300
kill -STOP `$helper.Id
RUN
Start-Sleep 1
"helper-exited-`$(`$helper.HasExited)"
if (-not `$helper.HasExited) { `$helper.Kill() }
"@
        # The twin: unconfined, the same program hangs the stopped helper up (it ends, as by SIGHUP).
        Invoke-WithoutTerminal $script.Replace('RUN', "`$null = & '$Perl' -e '$OrphanProbe'") | Should -Contain 'helper-exited-True'
        Invoke-WithoutTerminal $script.Replace('RUN', "`$null = New-SystemRuleset | Invoke-Sandboxed '$Perl' '-e', '$OrphanProbe'") | Should -Contain 'helper-exited-False'
    }
}

Describe 'A sandbox run by a caller with a controlling terminal' {
    It 'keeps a program off the terminal of a caller in a PID namespace whose /proc is another namespace''s' -Skip:(-not (Get-Command script -ErrorAction Ignore) -or -not (Get-Command unshare -ErrorAction Ignore)) {
        # unshare -pf without --mount-proc: the caller's pid names another process in /proc (there,
        # a kernel thread without a terminal), while /proc/self is the caller itself.
        $probe = 'exec 3</dev/tty && echo tty-open'
        $file = Join-Path $TestDrive 'in-namespace.ps1'
        Set-Content -LiteralPath $file -Value @"
Import-Module '$Module'
"self-tty-`$(((Get-Content /proc/self/stat) -split ' ')[6])"
# The twin: the same program, unconfined, opens the caller's terminal.
& /bin/sh -c '$($probe -replace 'tty-open', 'twin-opened')'
New-LandlockRuleset -Abi V7 | Add-LandlockPathRule /usr, /etc, /lib, /lib64 ReadExecute -IgnoreMissing -PassThru |
    Add-LandlockPathRule /dev/tty ReadWrite -PassThru | Invoke-Sandboxed /bin/sh -- -c '$probe' 2>&1
"@
        $screen = & script -qec "unshare -pf $Pwsh -NoProfile -NonInteractive -File $file" /dev/null 2>&1 | Out-String
        # The terminal's own control sequences (script passes them on) would hide a line's start.
        $screen = $screen -replace '\e(\[[?0-9;]*[A-Za-z]|\][^\a]*\a|[=>])', ''
        $screen | Should -Match '(?m)^self-tty-[1-9]'
        $screen | Should -Match '(?m)^twin-opened'
        $screen | Should -Not -Match '(?m)^tty-open'
    }
}
