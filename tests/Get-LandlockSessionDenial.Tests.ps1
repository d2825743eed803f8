BeforeAll {
    . $PSScriptRoot/common.ps1

    # Threads of this pwsh that serve an observer ("LandlockPS observer", cut to 15 characters by the kernel).
    function Get-ObserverThread {
        Get-ChildItem /proc/$PID/task -Directory | Where-Object {
            (Get-Content -Raw -ErrorAction Ignore (Join-Path $_.FullName comm)) -match '^LandlockPS obse'
        }
    }
}

Describe 'New-LandlockSession -ExplainDenials and Get-LandlockSessionDenial' {
    BeforeAll {
        $script:Data = (New-Item -ItemType Directory (Join-Path TestDrive: session-explain)).FullName
        Set-Content (Join-Path $Data a.txt) 'alpha'
        Set-Content (Join-Path $Data b.txt) 'beta'
        Set-Content (Join-Path $Data c.txt) 'gamma'
        $script:Ruleset = New-SystemRuleset | Add-LandlockPathRule -Path (Join-Path $Data a.txt) -Access ReadFile -PassThru
    }

    AfterEach {
        Get-RestrictedThread | Should -BeNullOrEmpty
    }

    It 'lists what the session was denied so far, with the fix, and nothing for what it was allowed' {
        $s = New-LandlockSession -Ruleset $Ruleset -ExplainDenials -WarningAction SilentlyContinue
        try {
            Get-LandlockSessionDenial -Session $s | Should -BeNullOrEmpty -Because 'starting the session is not its work'
            Invoke-Command -Session $s { Get-Content "$using:Data/a.txt" } | Should -Be 'alpha'
            Get-LandlockSessionDenial -Session $s | Should -BeNullOrEmpty -Because 'the allowed twin: a read the ruleset allows'
            Invoke-Command -Session $s { 1..2 | ForEach-Object { Get-Content "$using:Data/b.txt" -ErrorAction SilentlyContinue } }
            $denials = @(Get-LandlockSessionDenial -Session $s)
            $denials.Count | Should -Be 1
            $denials[0] | Should -BeOfType ([LandlockPS.Core.Observe.LandlockAccessEvent])
            $denials[0].Path | Should -Be "$Data/b.txt"
            $denials[0].DeniedAccess | Should -Be ReadFile
            $denials[0].Count | Should -Be 2 -Because 'the same access twice is one denial with its count'
            $denials[0].Suggestion | Should -Be "Add-LandlockPathRule -Ruleset `$ruleset -LiteralPath '$Data/b.txt' -Access ReadFile"
            $shown = $denials | Out-String -Width 250
            $shown | Should -Match 'Count\s+Denied\s+Target\s+Fix'
            $shown | Should -Match '\s2 ReadFile\s' -Because 'the default view shows how often, what was denied, where, and the fix'
            $shown | Should -Match ([regex]::Escape("Add-LandlockPathRule -Ruleset `$ruleset -LiteralPath '$Data/b.txt' -Access ReadFile"))
        }
        finally { Remove-PSSession $s }
    }

    It 'keeps two sessions'' denials apart, and pipes sessions from Get-PSSession' {
        $one = New-LandlockSession -Ruleset $Ruleset -ExplainDenials -WarningAction SilentlyContinue -Name explain-one
        $two = New-LandlockSession -Ruleset $Ruleset -ExplainDenials -WarningAction SilentlyContinue -Name explain-two
        try {
            Invoke-Command -Session $one { Get-Content "$using:Data/b.txt" -ErrorAction SilentlyContinue }
            Invoke-Command -Session $two { Get-Content "$using:Data/c.txt" -ErrorAction SilentlyContinue }
            (Get-LandlockSessionDenial $one).Path | Should -Be "$Data/b.txt"
            (Get-LandlockSessionDenial $two).Path | Should -Be "$Data/c.txt"
            (Get-PSSession -Name explain-two | Get-LandlockSessionDenial).Path | Should -Be "$Data/c.txt"
        }
        finally { Remove-PSSession $one, $two }
    }

    It 'shows each denial once with its fix when the session is removed, keeps the list, and leaves no thread, descriptor or process behind' {
        $s = New-LandlockSession -Ruleset $Ruleset -ExplainDenials -WarningAction SilentlyContinue -Name warm-up
        Invoke-Command -Session $s { Get-Content "$using:Data/b.txt" -ErrorAction SilentlyContinue }
        Remove-PSSession $s
        $threads = @(Get-ChildItem /proc/$PID/task).Count
        $descriptors = (Get-ChildItem /proc/$PID/fd).Count

        $s = New-LandlockSession -Ruleset $Ruleset -ExplainDenials -WarningAction SilentlyContinue -Name leak-check
        @(Get-ObserverThread).Count | Should -Be 1 -Because 'the session is observed for its whole life'
        $childPid = Invoke-Command -Session $s { Get-Content "$using:Data/b.txt" -ErrorAction SilentlyContinue; $PID }
        Remove-PSSession $s
        Test-ProcessAlive $childPid | Should -BeFalse
        Get-ObserverThread | Should -BeNullOrEmpty
        Get-ChildProcessId | Should -BeNullOrEmpty
        (Get-ChildItem /proc/$PID/fd).Count | Should -Be $descriptors
        @(Get-ChildItem /proc/$PID/task).Count | Should -BeLessOrEqual ($threads + 2) -Because 'the pool may grow a little, the session leaves nothing of its own'
        (Get-LandlockSessionDenial $s).Path | Should -Be "$Data/b.txt" -Because 'the list outlives the session'
    }

    It 'shows the denials on the host when Remove-PSSession ends the session, nothing for the allowed twin, and none with -WarningAction SilentlyContinue' {
        $manifest = Join-Path $RepoRoot LandlockPS.psd1
        $script = @"
Import-Module '$manifest'
`$rs = New-LandlockRuleset -Abi 7 | Add-LandlockPathRule -Path /usr, /bin, /lib, /lib64 -Access ReadExecute -IgnoreMissing -PassThru | Add-LandlockPathRule -Path '$Data/a.txt' -Access ReadFile -PassThru
`$denied = New-LandlockSession -Ruleset `$rs -ExplainDenials -Name denied
`$allowed = New-LandlockSession -Ruleset `$rs -ExplainDenials -Name allowed
`$quiet = New-LandlockSession -Ruleset `$rs -ExplainDenials -Name quiet -WarningAction SilentlyContinue
Invoke-Command `$denied, `$quiet { 1..3 | ForEach-Object { Get-Content '$Data/b.txt' -ErrorAction SilentlyContinue } }
Invoke-Command `$allowed { Get-Content '$Data/a.txt' } > `$null
'removing'
Remove-PSSession `$denied, `$allowed, `$quiet
'removed'
"@
        $out = & (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { "$_" -replace '\e\[[0-9;]*m' }
        $out | Should -Contain 'removed'
        $shown = @($out | Where-Object { $_ -like 'WARNING: Session *' })
        $shown.Count | Should -Be 1 -Because "one session was denied one access (three times), and warned at its end: $($out -join "`n")"
        $shown[0] | Should -BeLike "WARNING: Session denied: Denied ReadFile on $Data/b.txt (open by */pwsh, 3 times). Fix: Add-LandlockPathRule -Ruleset `$ruleset -LiteralPath '$Data/b.txt' -Access ReadFile"
        [array]::IndexOf($out, $shown[0]) | Should -BeGreaterThan ([array]::IndexOf($out, 'removing'))
        [array]::IndexOf($out, $shown[0]) | Should -BeLessThan ([array]::IndexOf($out, 'removed')) -Because 'Remove-PSSession shows them before it returns'
    }

    It 'says a session was not started with -ExplainDenials' {
        $s = New-LandlockSession -Ruleset $Ruleset
        try {
            { Get-LandlockSessionDenial $s -ErrorAction Stop } | Should -Throw -ErrorId 'SessionNotTraced,LandlockPS.Commands.GetLandlockSessionDenialCommand'
            Get-LandlockSessionDenial $s -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
            $failed[0].CategoryInfo.Category | Should -Be InvalidOperation
        }
        finally { Remove-PSSession $s }
    }

    It 'refuses a session LandlockPS did not make' {
        $process = New-OwnPwshProcess
        $runspace = [runspacefactory]::CreateOutOfProcessRunspace($null, $process)
        try {
            $runspace.Open()
            $other = [System.Management.Automation.Runspaces.PSSession]::Create($runspace, 'other', $null)
            { Get-LandlockSessionDenial $other -ErrorAction Stop } | Should -Throw -ErrorId 'SessionNotSandboxed,LandlockPS.Commands.GetLandlockSessionDenialCommand'
        }
        finally {
            $runspace.Dispose()
            $process.Dispose()
        }
    }
}
