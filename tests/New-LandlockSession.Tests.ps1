BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Rs = New-LandlockRuleset -Name session -Abi ([Math]::Min(7, [int](Get-LandlockAbi).EffectiveAbi))
}

Describe 'New-LandlockSession' {
    BeforeAll {
        $script:Session = New-LandlockSession -Ruleset $Rs -Name confined
    }
    AfterAll {
        if ($Session) { Remove-PSSession $Session -ErrorAction Ignore }
    }

    It 'returns a real PSSession that Get-PSSession lists' {
        $Session | Should -BeOfType ([System.Management.Automation.Runspaces.PSSession])
        $Session.Name | Should -Be 'confined'
        $Session.State | Should -Be 'Opened'
        (Get-PSSession | Where-Object Name -EQ 'confined').Id | Should -Be $Session.Id
    }

    It 'starts where its caller is, or in -WorkingDirectory' {
        $here = New-Item -ItemType Directory (Join-Path TestDrive: "here[1]")
        Push-Location -LiteralPath $here
        try {
            $s = New-LandlockSession -Ruleset $Rs
            try { Invoke-Command -Session $s { $PWD.ProviderPath, [Environment]::CurrentDirectory } | Should -Be $here.FullName, $here.FullName }
            finally { Remove-PSSession $s }
        }
        finally { Pop-Location }
        $s = New-LandlockSession -Ruleset $Rs -WorkingDirectory /usr
        try { Invoke-Command -Session $s { $PWD.ProviderPath } | Should -Be '/usr' }
        finally { Remove-PSSession $s }
    }

    It 'keeps state across calls' {
        Invoke-Command -Session $Session { $script:counter = 41 }
        Invoke-Command -Session $Session { $script:counter + 1 } | Should -Be 42
    }

    It 'serves one PowerShell object invoked again and again, past the time a server has to answer' {
        # Each run reuses the object's PSGuid, and its next command may go out before the last close
        # is answered: a deadline check once took the newest close, still in flight, for an old one.
        $ps = [powershell]::Create()
        $ps.Runspace = $Session.Runspace
        $null = $ps.AddScript('$script:runs++; $script:runs')
        try {
            Invoke-Command -Session $Session { $script:runs = 0 }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $runs = 0
            while ($clock.Elapsed.TotalSeconds -lt 7) { $last = $ps.Invoke(); $runs++ }
            $last | Should -Be $runs
            $Session.State | Should -Be 'Opened'
        }
        finally { $ps.Dispose() }
    }

    It 'is confined: reads outside the ruleset are denied' {
        $category = Invoke-Command -Session $Session { try { Get-Content /etc/hostname -ErrorAction Stop } catch { $_.CategoryInfo.Category.ToString() } }
        $category | Should -Be 'PermissionDenied'
        # The twin: the caller reads it fine.
        Get-Content /etc/hostname | Should -Not -BeNullOrEmpty
    }

    It 'accepts a ruleset sent as an argument (deserialized) in the child' {
        $status = Invoke-Command -Session $Session {
            param($r)
            Import-Module LandlockPS
            ($r | Test-LandlockRuleset).Status.ToString()
        } -ArgumentList ($Rs.Clone() | Add-LandlockPathRule /usr ReadExecute -PassThru)
        $status | Should -Be 'FullyEnforced'
    }

    It 'ends its child with Remove-PSSession, leaving no process' {
        $s = New-LandlockSession -Ruleset $Rs
        $childPid = Invoke-Command -Session $s { $PID }
        Test-ProcessAlive $childPid | Should -BeTrue
        Remove-PSSession $s
        Test-ProcessAlive $childPid | Should -BeFalse
        Get-PSSession | Where-Object Id -EQ $s.Id | Should -BeNullOrEmpty
    }

    It 'leaves no scratch home behind when its pwsh exits with the session open, or is killed' {
        $pwsh = Join-Path $PSHOME pwsh
        $manifest = Join-Path $RepoRoot LandlockPS.psd1
        $open = "Import-Module '$manifest'; `$s = New-LandlockSession -Ruleset (New-LandlockRuleset -Abi 7); Invoke-Command `$s { `$HOME }"

        $leftOpen = & $pwsh -NoProfile -NonInteractive -Command $open
        $leftOpen | Should -BeLike '*landlockps-home-*'
        Test-Path $leftOpen | Should -BeFalse

        $killed = Join-Path ([IO.Path]::GetTempPath()) "llps-killed-$PID.txt"
        $process = Start-Process $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', "$open > '$killed'; Start-Sleep 300" -PassThru
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $killed) -or -not (Get-Content $killed) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $abandoned = Get-Content $killed
            Stop-Process $process -Force
            $process.WaitForExit()
            Test-Path $abandoned | Should -BeTrue
            # The next pwsh that makes a home sweeps the homes of processes that are gone.
            & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$manifest'; Invoke-Sandboxed -Ruleset (New-LandlockRuleset -Abi 7) { 1 } 3>`$null" | Should -Be 1
            Test-Path $abandoned | Should -BeFalse
        }
        finally {
            Stop-Process $process -Force -ErrorAction Ignore
            Remove-Item $killed -ErrorAction Ignore
        }
    }

    # SIGTERM: a service manager stopped it; SIGHUP: its terminal closed. Neither runs .NET's ProcessExit.
    It 'leaves no scratch home behind when its pwsh is ended by <Signal> with a session open' -TestCases @(
        @{ Signal = 'SIGTERM' }
        @{ Signal = 'SIGHUP' }
    ) {
        if ($Signal -eq 'SIGHUP' -and (Test-SignalIgnored 1)) {
            Set-ItResult -Skipped -Because 'this pwsh ignores SIGHUP (as under nohup), and the caller it starts would inherit that'
            return
        }
        $manifest = Join-Path $RepoRoot LandlockPS.psd1
        $homeFile = Join-Path $TestDrive "home-$Signal"
        $open = "Import-Module '$manifest'; `$s = New-LandlockSession -Ruleset (New-LandlockRuleset -Abi 7); Invoke-Command `$s { `$HOME } > '$homeFile'; Start-Sleep 300"
        $caller = Start-Process (Join-Path $PSHOME pwsh) -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $open -PassThru
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60) # a hang guard
            while (-not (Test-Path $homeFile) -or -not (Get-Content $homeFile) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $scratchHome = Get-Content $homeFile
            $scratchHome | Should -BeLike '*landlockps-home-*'
            # The twin: the home is there while its session lives.
            Test-Path $scratchHome | Should -BeTrue
            & kill "-$($Signal.Substring(3))" $caller.Id
            $caller.WaitForExit(30000) | Should -BeTrue
            Test-Path $scratchHome | Should -BeFalse
        }
        finally {
            if (-not $caller.HasExited) { $caller.Kill() }
            if ($scratchHome) { Remove-Item $scratchHome -Recurse -Force -ErrorAction Ignore }
        }
    }

    It 'sweeps only abandoned homes this user owns' -Skip:((id -u) -ne '0') {
        # A pwsh killed with two sessions open leaves both homes behind.
        $manifest = Join-Path $RepoRoot LandlockPS.psd1
        $mine, $theirs = & (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -Command (
            "Import-Module '$manifest'; `$rs = New-LandlockRuleset -Abi 7; " +
            "foreach (`$i in 1..2) { Invoke-Command (New-LandlockSession -Ruleset `$rs) { `$HOME } }; [Diagnostics.Process]::GetCurrentProcess().Kill()")
        try {
            Test-Path $mine, $theirs | Should -Be $true, $true
            chown 65534 $theirs
            & (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -Command "Import-Module '$manifest'; Invoke-Sandboxed -Ruleset (New-LandlockRuleset -Abi 7) { 1 } 3>`$null" | Should -Be 1
            Test-Path $mine | Should -BeFalse
            Test-Path $theirs | Should -BeTrue
        }
        finally { Remove-Item $mine, $theirs -Recurse -Force -ErrorAction Ignore }
    }

    It 'takes rulesets from the pipeline, one session each' {
        $two = ($Rs, $Rs | New-LandlockSession)
        try {
            $two | Should -HaveCount 2
            (Invoke-Command -Session $two { $PID } | Sort-Object -Unique) | Should -HaveCount 2
        }
        finally { $two | Remove-PSSession }
    }

    It 'warns once per session about partial enforcement, and keeps its status on the session' {
        $env:LANDLOCKPS_TEST_ABI_CAP = '3'
        try {
            $session = Invoke-InNewSession {
                $partial = New-LandlockRuleset -Abi V4
                foreach ($i in 1, 2) {
                    $s = New-LandlockSession $partial
                    $s.Enforcement.Status
                    Remove-PSSession $s
                }
            }
            $session.Output | Should -Be 'PartiallyEnforced', 'PartiallyEnforced'
            $session.Warnings | Should -HaveCount 1
            $session.Warnings[0] | Should -Match 'Partially enforced: .*-Abi V3'
        }
        finally { Remove-Item Env:LANDLOCKPS_TEST_ABI_CAP }
    }

    It 'reports a ruleset the kernel cannot enforce' {
        $env:LANDLOCKPS_TEST_ABI_CAP = '0'
        try {
            New-LandlockSession -Ruleset $Rs -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev[0].FullyQualifiedErrorId | Should -Be 'LandlockNotSupported,LandlockPS.Commands.NewLandlockSessionCommand'
        }
        finally { Remove-Item Env:LANDLOCKPS_TEST_ABI_CAP }
    }
}

Describe 'Enter-PSSession into a confined session' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) {
    BeforeAll {
        # A home of its own, with notes in it, for help Example 2 to browse.
        $script:FakeHome = New-Item -ItemType Directory (Join-Path TestDrive: home)
        Set-Content (Join-Path $FakeHome notes.txt) 'my notes'
        $script:Tmux = Start-Terminal "llps-enter-$PID" -Environment @{ HOME = $FakeHome.FullName } -Directory $FakeHome.FullName
        function script:Send([string] $Line) { Send-TerminalLine $Tmux $Line }
        function script:WaitFor([string] $Pattern) { Wait-TerminalText $Tmux $Pattern }
        function script:Prompt([string] $Folder) { '(?m)^\[landlock\]: PS ' + [regex]::Escape($Folder) + '>' }
    }
    AfterAll {
        & tmux kill-session -t $Tmux 2>$null
    }

    It 'gives an interactive confined shell whose prompt shows it and where it is' {
        # Markers are built when the command runs, so the echo of the typed line never matches them.
        WaitFor '(?m)^PS .*>' | Should -Match '(?m)^PS .*>'
        Send "Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'; Set-Location /usr; `$s = New-LandlockSession (New-LandlockRuleset); 'session' + '-ready'"
        WaitFor '(?m)^session-ready' | Should -Match '(?m)^session-ready'
        Send 'Enter-PSSession $s'
        WaitFor (Prompt /usr) | Should -Match (Prompt /usr)
        Send 'Get-Content /etc/hostname'
        WaitFor 'Access to the path .*/etc/hostname.* is denied' | Should -Match 'Access to the path .*/etc/hostname.* is denied'
        Send "Read-Host 'word'"
        WaitFor 'SandboxHostAccessDenied|-HostAccess Prompt' | Should -Match '-HostAccess Prompt'
        Send 'exit'
        # Only the caller's own shell knows $s: this proves the exit left the session.
        Send "'back-' + [bool]`$s"
        WaitFor '(?m)^back-True' | Should -Match '(?m)^back-True'
        Send "Remove-PSSession `$s; 'session' + '-removed'"
        WaitFor '(?m)^session-removed' | Should -Match '(?m)^session-removed'
    }

    It 'runs help Example 2 as written' {
        $page = Get-Content -Raw (Join-Path $RepoRoot docs/en-US/New-LandlockSession.md)
        $code = [regex]::Match($page, '(?s)### Example 2:[^\n]*\n```powershell\n(.*?)\n```').Groups[1].Value
        $lines = $code -split "`n"
        # Typed up to Enter-PSSession; then what its comments show, in the session; then the rest.
        $enter = [array]::FindIndex($lines, [Predicate[string]] { $args[0] -like 'Enter-PSSession*' })
        $lines[0..$enter] | ForEach-Object { Send $_ }
        WaitFor (Prompt $FakeHome.FullName) | Should -Match (Prompt $FakeHome.FullName)
        Send 'Get-Content ./notes.txt'
        WaitFor '(?m)^my notes' | Should -Match '(?m)^my notes'
        Send 'Remove-Item ./notes.txt'
        WaitFor 'Access to the path .*notes\.txt.* is denied' | Should -Match 'Access to the path .*notes\.txt.* is denied'
        $lines[($enter + 1)..($lines.Count - 1)] | Where-Object { $_ -notmatch '^#' } | ForEach-Object { if ($_ -like 'Remove-PSSession*') { Send 'exit' }; Send $_ }
        Send "'example' + '-done'"
        WaitFor '(?m)^example-done' | Should -Match '(?m)^example-done'
        Join-Path $FakeHome notes.txt | Should -Exist
    }

    It 'lets a command prompt, marked as the sandbox''s, in a session allowed to' {
        # A clean screen: the prompts of the session before must not match.
        Send 'Clear-Host'
        Start-Sleep -Milliseconds 500
        & tmux clear-history -t $Tmux
        Send "`$p = New-LandlockSession (New-LandlockRuleset) -HostAccess Prompt; 'prompting' + '-ready'"
        WaitFor '(?m)^prompting-ready' | Should -Match '(?m)^prompting-ready'
        Send 'Enter-PSSession $p'
        WaitFor '(?m)^\[landlock\]: PS .*>' | Should -Match '(?m)^\[landlock\]: PS .*>'
        Send "'typed ' + (Read-Host 'word').ToUpper()"
        WaitFor '(?m)^\[sandbox\]' | Should -Match '(?m)^\[sandbox\]'
        Send 'zebra'
        WaitFor '(?m)^typed ZEBRA' | Should -Match '(?m)^typed ZEBRA'
        Send 'exit'
        Send "'back-' + [bool]`$p"
        WaitFor '(?m)^back-True' | Should -Match '(?m)^back-True'
        Send "Remove-PSSession `$p; 'prompting' + '-removed'"
        WaitFor '(?m)^prompting-removed' | Should -Match '(?m)^prompting-removed'
    }

    It 'leaves the session on an exit within a line, as Enter-PSSession does into any other pwsh' {
        WaitFor '(?m)^PS .*>' | Should -Match '(?m)^PS .*>'
        Send "Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'; `$q = New-LandlockSession (New-LandlockRuleset); 'exiting' + '-ready'"
        WaitFor '(?m)^exiting-ready' | Should -Match '(?m)^exiting-ready'
        Send 'Enter-PSSession $q'
        WaitFor '(?m)^\[landlock\]: PS .*>' | Should -Match '(?m)^\[landlock\]: PS .*>'
        # Only a line that is just "exit" is the console's own; this one reaches the session's host.
        Send "'leaving'; exit"
        Send "'out-' + [bool]`$q"
        WaitFor '(?m)^out-True' | Should -Match '(?m)^out-True'
        Send "Remove-PSSession `$q; 'exiting' + '-removed'"
        WaitFor '(?m)^exiting-removed' | Should -Match '(?m)^exiting-removed'
    }
}
