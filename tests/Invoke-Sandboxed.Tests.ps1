BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Id = 'LandlockPS.Commands.InvokeSandboxedCommand'
    $script:Sys = New-SystemRuleset
}

Describe 'Invoke-Sandboxed -FilePath' {
    BeforeEach {
        $work = New-Item -ItemType Directory (Join-Path TestDrive: ([guid]::NewGuid()))
    }

    Context 'running and output' {
        It 'takes the ruleset from the pipeline and streams stdout lines as strings' {
            $out = $Sys | Invoke-Sandboxed -FilePath /bin/sh -ArgumentList '-c', 'echo one; echo two'
            $out | Should -Be 'one', 'two'
            $out[0] | Should -BeOfType ([string])
        }

        It 'drops from its lines (standard error''s merged too) what would act on the caller''s machine beyond the console (the clipboard), as a terminal''s; raw bytes stay whole' {
            $printed = 'a\033]52;c;RVZJTA==\007b \033]0;title\007\033[1mbold\033[0m'
            $Sys | Invoke-Sandboxed printf -- $printed | Should -Be "ab `e]0;title`a`e[1mbold`e[0m"
            $Sys | Invoke-Sandboxed sh -StandardError Output -- -c "printf '$printed' >&2" | Should -Be "ab `e]0;title`a`e[1mbold`e[0m"
            $bytes = $Sys | Invoke-Sandboxed printf -AsByteStream -- $printed
            [Text.Encoding]::ASCII.GetString(($bytes | ForEach-Object { $_ })) | Should -Be "a`e]52;c;RVZJTA==`ab `e]0;title`a`e[1mbold`e[0m"
        }

        It 'emits lines as they arrive, not at exit' {
            $first = $null
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $Sys | Invoke-Sandboxed sh '-c', 'echo early; sleep 2; echo late' | ForEach-Object {
                if ($null -eq $first) { $first = $clock.Elapsed.TotalSeconds }
            }
            $first | Should -BeLessThan 1.5
            $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 1.9
        }

        It 'finds programs on PATH as pwsh does, and relative paths from the PowerShell location' {
            $Sys | Invoke-Sandboxed echo hi | Should -Be 'hi'
            Copy-Item /bin/echo (Join-Path $work myecho)
            Push-Location $work
            try {
                $rs = New-SystemRuleset | Add-LandlockPathRule -LiteralPath $work.FullName -Access ReadExecute -PassThru
                $rs | Invoke-Sandboxed ./myecho local | Should -Be 'local'
            }
            finally { Pop-Location }
        }

        It 'sets $LASTEXITCODE to the exit code, and to 128+N for a signal' {
            $Sys | Invoke-Sandboxed sh '-c', 'exit 42'
            $LASTEXITCODE | Should -Be 42
            $Sys | Invoke-Sandboxed sh '-c', 'kill -KILL $$'
            $LASTEXITCODE | Should -Be 137
            $Sys | Invoke-Sandboxed true
            $LASTEXITCODE | Should -Be 0
        }

        It 'shows stderr on the host by default, without an error, capturable with 6>&1' {
            $all = $Sys | Invoke-Sandboxed sh '-c', 'echo out; echo err >&2' -ErrorVariable ev 6>&1
            $ev | Should -BeNullOrEmpty
            ($all | Where-Object { $_ -is [string] }) | Should -Be 'out'
            $info = $all | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }
            "$($info.MessageData)" | Should -Be 'err'
            $info.Tags | Should -Contain 'StandardError'
        }

        It 'does not turn stderr into a terminating error under ErrorActionPreference Stop' {
            $ErrorActionPreference = 'Stop'
            $out = $Sys | Invoke-Sandboxed sh '-c', 'echo err >&2; echo after' 6>$null
            $out | Should -Be 'after'
        }

        It 'writes stderr as ErrorRecords with -StandardError Error' {
            # These are ordinary non-terminating errors: -ErrorAction applies (Pester runs tests under Stop).
            $out = $Sys | Invoke-Sandboxed sh '-c', 'echo err >&2' -StandardError Error -ErrorAction Continue 2>&1
            $out[0] | Should -BeOfType ([System.Management.Automation.ErrorRecord])
            $out[0].FullyQualifiedErrorId | Should -Be "NativeStandardError,$Id"
            "$($out[0])" | Should -Be 'err'
        }

        It 'merges stderr into the output with -StandardError Output' {
            $Sys | Invoke-Sandboxed sh '-c', 'echo a; echo b >&2' -StandardError Output | Sort-Object | Should -Be 'a', 'b'
        }

        It 'emits raw bytes with -AsByteStream' {
            $chunks = [System.Collections.Generic.List[object]]::new()
            $Sys | Invoke-Sandboxed head '-c', '200000', '/bin/bash' -AsByteStream | ForEach-Object { $chunks.Add($_) }
            $chunks | ForEach-Object { $_ -is [byte[]] | Should -BeTrue }
            $joined = [byte[]]($chunks | ForEach-Object { $_ })
            $joined.Length | Should -Be 200000
            [Convert]::ToHexString($joined, 0, 4) | Should -Be '7F454C46'
        }

        It 'emits a result object with -PassThru' {
            $r = $Sys | Invoke-Sandboxed sh '-c', 'exit 3' -PassThru
            $r | Should -BeOfType ([LandlockPS.Core.Sandbox.SandboxResult])
            $r.ExitCode | Should -Be 3
            $r.Signal | Should -BeNullOrEmpty
            $r.ProcessId | Should -BeGreaterThan 0
            $r.Duration | Should -BeOfType ([timespan])
            $r.Status | Should -Be 'FullyEnforced'
            $r.Dropped | Should -BeNullOrEmpty
            $r.FilePath | Should -Be '/usr/bin/sh'
        }
    }

    Context 'arguments, as with &' {
        It 'passes every word after the program to it, in order: <Words>' -TestCases @(
            @{ Words = '-la /usr' }, @{ Words = 'a b c' }, @{ Words = "'-c' '-e' x" }, @{ Words = '-XX:+UseG1GC -Dx=1' }
            @{ Words = '--long --x=1 -' }, @{ Words = '-1 1.5 $true' }, @{ Words = "'' a" }, @{ Words = '$null a @() @(1, 2) @(3, @(4, 5))' }
            @{ Words = 'x -q -z -u -y 1' }
        ) {
            $native = & ([scriptblock]::Create("& printf '%s|' $Words"))
            $sandboxed = & ([scriptblock]::Create("`$Sys | Invoke-Sandboxed printf '%s|' $Words"))
            $sandboxed | Should -Be $native
        }

        It 'expands wildcards and ~ in words not typed in quotes, as & does on Unix: <Words>' -TestCases @(
            @{ Words = '*.md ''*.md'' "*.md" sub/*.md nomatch*.zz' }, @{ Words = '~ ~/x ''~'' "~/x" x~' }, @{ Words = '$pattern -la' }
        ) {
            $null = New-Item -ItemType Directory (Join-Path $work sub)
            foreach ($name in 'a.md', 'b c.md', 'sub/x.md', 'z.txt') { $null = New-Item -ItemType File (Join-Path $work $name) }
            $pattern = '*.md'
            Push-Location $work
            try {
                $native = & ([scriptblock]::Create("& printf '%s|' $Words"))
                $sandboxed = & ([scriptblock]::Create("`$Sys | Invoke-Sandboxed printf '%s|' $Words"))
                $piped = & ([scriptblock]::Create("'in' | Invoke-Sandboxed -Ruleset `$Sys printf '%s|' $Words"))
            }
            finally { Pop-Location }
            $sandboxed | Should -Be $native
            $piped | Should -Be $native
            $native | Should -Not -Match '\|\*\.md\|.*\|\*\.md\|.*\|\*\.md\|' -Because 'the bare word was expanded (a control on the test itself)'
        }

        It 'leaves the items of an array written out unexpanded, as & does' {
            $null = New-Item -ItemType File (Join-Path $work 'a.md')
            Push-Location $work
            try { $Sys | Invoke-Sandboxed printf '%s|' x,*.md *.md | Should -Be 'x|*.md|a.md|' }
            finally { Pop-Location }
        }

        It 'takes its own parameters before or after the program, in full' {
            Invoke-Sandboxed -Ruleset $Sys echo a b c | Should -Be 'a b c'
            $r = $Sys | Invoke-Sandboxed sh -PassThru -- -c 'exit 3'
            $r.ExitCode | Should -Be 3
            $Sys | Invoke-Sandboxed -ClearEnvironment env | Should -Be 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
            $Sys | Invoke-Sandboxed env -ClearEnvironment -ea SilentlyContinue | Should -Be 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
        }

        It 'passes everything after -- verbatim, and a second -- too' {
            Invoke-Sandboxed -Ruleset $Sys grep -- -e root -c /etc/passwd | Should -Be (& grep -e root -c /etc/passwd)
            Invoke-Sandboxed -Ruleset $Sys -- printf '%s|' -c -- -TimeoutSec 5 | Should -Be '-c|--|-TimeoutSec|5|'
        }

        It 'refuses a shortened Invoke-Sandboxed parameter after the program: <Words>' -TestCases @(
            @{ Words = 'wc -w /etc/hostname'; Typed = '-w'; Parameter = 'WorkingDirectory' }
            @{ Words = 'ls -d /usr'; Typed = '-d'; Parameter = 'Debug' }
            @{ Words = 'mkdir -p x'; Typed = '-p'; Parameter = 'PassThru' }
            @{ Words = 'grep -v x /etc/hostname'; Typed = '-v'; Parameter = 'Verbose' }
            @{ Words = 'wc -c /etc/hostname'; Typed = '-c'; Parameter = 'ClearEnvironment' }
            @{ Words = 'cat -f /etc/hostname'; Typed = '-f'; Parameter = 'FilePath' }
            @{ Words = 'grep -i x /etc/hostname'; Typed = '-i'; Parameter = 'InputObject' }
            @{ Words = 'sleep 1 -Time 5'; Typed = '-Time'; Parameter = 'TimeoutSec' }
            @{ Words = 'grep -h 1 /etc/hostname'; Typed = '-h'; Parameter = 'HostAccess' }
        ) {
            $e = { & ([scriptblock]::Create("`$Sys | Invoke-Sandboxed $Words")) } | Should -Throw -ErrorId "ShortenedParameterAfterProgram,$Id" -PassThru
            $e.Exception.Message | Should -Match ([regex]::Escape("'$Typed' after the program matches Invoke-Sandboxed's -$Parameter"))
            $e.Exception.Message | Should -Match ([regex]::Escape("-- $Typed"))
            Get-ChildProcessId | Should -BeNullOrEmpty
        }

        It 'takes a shortened parameter before the program as meant' {
            Invoke-Sandboxed -Ruleset $Sys -Clear env | Should -Be 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
        }

        It 'says how to pass -e to the program when -Environment takes it' {
            $e = { Invoke-Sandboxed -Ruleset $Sys grep -e root /etc/passwd } | Should -Throw -PassThru
            $e.Exception.Message | Should -Match 'grep -- -e root'
        }

        It 'keeps -ArgumentList working, named or by position' {
            $Sys | Invoke-Sandboxed printf -ArgumentList '%s|', '-c', 'x y' | Should -Be '-c|x y|'
            $Sys | Invoke-Sandboxed printf '%s|', '-c', 'x y' | Should -Be '-c|x y|'
        }
    }

    Context 'standard input' {
        It 'feeds pipeline input to stdin when -Ruleset is named' {
            'b', 'c', 'a' | Invoke-Sandboxed -Ruleset $Sys -FilePath sort | Should -Be 'a', 'b', 'c'
        }

        It 'feeds -InputObject to stdin when the ruleset is piped' {
            $Sys | Invoke-Sandboxed sort -InputObject 'y', 'x' | Should -Be 'x', 'y'
        }

        It 'writes objects that are not text as & does, as Out-String shows them: <Case>' -TestCases @(
            @{ Case = 'custom objects'; Items = { [pscustomobject]@{ a = 1; b = 'x' }, [pscustomobject]@{ a = 2; b = 'y' } } }
            @{ Case = 'strings around an object'; Items = { 's1', [pscustomobject]@{ a = 1 }, 's2' } }
            @{ Case = 'a hashtable, one object'; Items = { , @{ k = 'v' } } }
            @{ Case = 'numbers and a date'; Items = { -5, 3L, [datetime]'2020-01-02' } }
        ) {
            $native = & $Items | & cat
            $sandboxed = & $Items | Invoke-Sandboxed -Ruleset $Sys cat
            $sandboxed | Should -Be $native
            ($sandboxed -join '') | Should -Not -BeNullOrEmpty
        }

        It 'streams a large input without holding it all' {
            1..100000 | Invoke-Sandboxed -Ruleset $Sys -FilePath wc -ArgumentList '-l' | Should -Be '100000'
        }

        It 'passes bytes through unchanged' {
            $data = [byte[]](0..255)
            $back = , $data | Invoke-Sandboxed -Ruleset $Sys -FilePath cat -AsByteStream
            [byte[]]($back | ForEach-Object { $_ }) | Should -Be $data
        }

        It 'gives /dev/null as stdin when there is no input' {
            $Sys | Invoke-Sandboxed cat | Should -BeNullOrEmpty
            $LASTEXITCODE | Should -Be 0
        }

        It 'runs once per piped ruleset' {
            $two = (New-SystemRuleset -Name a), (New-SystemRuleset -Name b)
            $two | Invoke-Sandboxed echo run | Should -Be 'run', 'run'
        }
    }

    Context 'where and with what' {
        It 'runs in the PowerShell location by default, or in -WorkingDirectory' {
            $rs = New-SystemRuleset | Add-LandlockPathRule -LiteralPath $work.FullName -Access ReadOnly -PassThru
            Push-Location $work
            try { $rs | Invoke-Sandboxed pwd | Should -Be $work.FullName }
            finally { Pop-Location }
            $rs | Invoke-Sandboxed pwd -WorkingDirectory $work.FullName | Should -Be $work.FullName
        }

        It 'sets and removes environment variables' {
            $env:LLPS_GONE = 'present'
            try {
                $out = $Sys | Invoke-Sandboxed sh '-c', 'echo "$LLPS_SET|${LLPS_GONE-unset}"' -Environment @{ LLPS_SET = 'v'; LLPS_GONE = $null }
                $out | Should -Be 'v|unset'
            }
            finally { Remove-Item Env:LLPS_GONE }
        }

        It 'starts from an empty environment with a safe PATH' {
            $Sys | Invoke-Sandboxed env -ClearEnvironment -Environment @{ ONLY = '1' } | Sort-Object |
                Should -Be 'ONLY=1', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
        }

        It 'gives the child no capability, unless -KeepCapabilities' {
            $rs = New-SystemRuleset | Add-LandlockPathRule /proc ReadOnly -PassThru
            $status = $rs | Invoke-Sandboxed cat /proc/self/status
            ($status -match '^CapEff:') | Should -Match '0000000000000000$'
            if ((id -u) -eq 0) {
                ($status -match '^CapBnd:') | Should -Match '0000000000000000$'
                $kept = $rs | Invoke-Sandboxed cat /proc/self/status -KeepCapabilities
                ($kept -match '^CapBnd:') | Should -Not -Match '0000000000000000$'
            }
        }

        It 'empties a bounding set its caller has partly lost, and refuses root that cannot (no CAP_SETPCAP)' {
            $setpriv = Get-Command setpriv -CommandType Application -ErrorAction Ignore | Select-Object -First 1
            if (-not $setpriv -or (id -u) -ne 0) {
                Set-ItResult -Skipped -Because 'it needs root and setpriv (util-linux) to start a caller with a smaller bounding set'
                return
            }
            $script = @"
Import-Module '$(Join-Path $RepoRoot LandlockPS.psd1)'
`$rs = New-LandlockRuleset -Abi 1 | Add-LandlockPathRule -Path /usr, /bin, /lib, /lib64, /proc -Access ReadExecute -IgnoreMissing -PassThru
try { (`$rs | Invoke-Sandboxed cat /proc/self/status -ErrorAction Stop) -match '^CapBnd:' } catch { `$_.FullyQualifiedErrorId }
"@
            # Inheritable and ambient capabilities cleared too: kept, they would come back at the exec of pwsh.
            $inCaller = { param([string] $Bounding) & $setpriv.Source --inh-caps -all --ambient-caps -all --bounding-set $Bounding (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -Command $script 2>&1 }
            # CAP_SETPCAP kept: what is left goes. None left, CAP_SETPCAP with them: nothing to drop.
            & $inCaller '-sys_admin,-net_raw' | Should -Match '^CapBnd:\s+0000000000000000$'
            & $inCaller '-all' | Should -Match '^CapBnd:\s+0000000000000000$'
            # Root with capabilities left in its bounding set but no CAP_SETPCAP to drop them: a child could regain them at exec.
            & $inCaller '-setpcap' | Should -BeLike 'CapabilityDropFailed,*'
        }
    }

    Context 'confinement' {
        It 'denies a read outside the rules and allows it with a rule' {
            $secret = Join-Path $work secret.txt
            Set-Content $secret 'classified'
            $Sys | Invoke-Sandboxed cat $secret -StandardError Output | Should -Match 'Permission denied'
            $LASTEXITCODE | Should -Not -Be 0
            $rs = New-SystemRuleset | Add-LandlockPathRule -LiteralPath $secret -Access ReadFile -PassThru
            $rs | Invoke-Sandboxed cat $secret | Should -Be 'classified'
        }

        It 'denies a write outside the rules and allows it with a rule' {
            $target = Join-Path $work out.txt
            $Sys | Invoke-Sandboxed sh '-c', "echo x > $target" 6>$null
            $LASTEXITCODE | Should -Not -Be 0
            $target | Should -Not -Exist
            $rs = New-SystemRuleset | Add-LandlockPathRule -LiteralPath $work.FullName -Access ReadWrite -PassThru
            $rs | Invoke-Sandboxed sh '-c', "echo x > $target"
            Get-Content $target | Should -Be 'x'
        }

        It 'denies a TCP connection without a rule and allows it with one' {
            Skip-UnlessLandlockAbi 4
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $listener.Start()
            try {
                $port = $listener.LocalEndpoint.Port
                $script = "exec 3<>/dev/tcp/127.0.0.1/$port && echo connected"
                $Sys | Invoke-Sandboxed bash '-c', $script -StandardError Output | Should -Match 'Permission denied'
                $rs = New-SystemRuleset | Add-LandlockNetRule -Port $port -Access ConnectTcp -PassThru
                $rs | Invoke-Sandboxed bash '-c', $script | Should -Be 'connected'
            }
            finally { $listener.Stop() }
        }
    }

    Context 'errors' {
        It 'refuses a program the ruleset may not execute with ExecutableNotAllowed' {
            $empty = New-LandlockRuleset -Abi V7
            $empty | Invoke-Sandboxed ls -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be "ExecutableNotAllowed,$Id"
            $ev[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
            $ev[0].Exception.Message | Should -Match '/usr/bin/ls'
            $ev[0].Exception.Message | Should -Match 'interpreter /lib'
        }

        It 'refuses a missing program with ExecutableNotFound' -TestCases @(
            @{ Program = 'no-such-program-llps' }, @{ Program = '/no/such/program' }, @{ Program = './missing' }
        ) {
            { $Sys | Invoke-Sandboxed $Program } | Should -Throw -ErrorId "ExecutableNotFound,$Id"
        }

        It 'refuses a missing working directory with WorkingDirectoryNotFound' {
            { $Sys | Invoke-Sandboxed true -WorkingDirectory /no/such/dir } | Should -Throw -ErrorId "WorkingDirectoryNotFound,$Id"
        }

        It 'refuses a bad environment with InvalidEnvironment' -TestCases @(
            @{ Env = @{ '' = 'x' } }, @{ Env = @{ 'A=B' = 'x' } }, @{ Env = @{ A = "x`0y" } }
        ) {
            { $Sys | Invoke-Sandboxed true -Environment $Env } | Should -Throw -ErrorId "InvalidEnvironment,$Id"
            # The same for a script block and a session, before any child starts.
            { $Sys | Invoke-Sandboxed { 1 } -Environment $Env } | Should -Throw -ErrorId "InvalidEnvironment,$Id"
            { New-LandlockSession -Ruleset $Sys -Environment $Env } | Should -Throw -ErrorId 'InvalidEnvironment,LandlockPS.Commands.NewLandlockSessionCommand'
            Get-ChildProcessId | Should -BeNullOrEmpty
        }

        It 'refuses a negative timeout with InvalidTimeout' {
            { $Sys | Invoke-Sandboxed true -TimeoutSec -1 } | Should -Throw -ErrorId "InvalidTimeout,$Id"
        }

        It 'refuses a time no timer can count (<Parameter> over 24 days) with InvalidTimeout, for a script block too, leaving no child' -TestCases @(
            @{ Parameter = 'TimeoutSec' }, @{ Parameter = 'KillAfterSec' }
        ) {
            # A script block's timer took it and threw .NET's ArgumentOutOfRangeException, its child pwsh left running.
            $times = @{ $Parameter = 5000000 }
            { Invoke-Sandboxed -Ruleset (New-LandlockRuleset) { 1 } @times } | Should -Throw -ErrorId "InvalidTimeout,$Id"
            { $Sys | Invoke-Sandboxed true @times } | Should -Throw -ErrorId "InvalidTimeout,$Id"
            { Trace-LandlockAccess { 1 } @times } | Should -Throw -ErrorId 'ParameterArgumentValidationError,LandlockPS.Commands.TraceLandlockAccessCommand'
            Get-ChildProcessId | Should -BeNullOrEmpty
            $times = @{ $Parameter = 2147483 }
            Invoke-Sandboxed -Ruleset (New-LandlockRuleset) { 'the longest time' } @times | Should -Be 'the longest time'
        }

        It 'requires a ruleset' {
            { Invoke-Sandboxed -Ruleset $null -FilePath true } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'kills the whole process group on timeout, with TimeoutExceeded' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $out = $Sys | Invoke-Sandboxed sh '-c', 'sleep 60 & echo $!; wait' -TimeoutSec 1 -ErrorVariable ev -ErrorAction SilentlyContinue
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $ev[0].FullyQualifiedErrorId | Should -Be "TimeoutExceeded,$Id"
            $ev[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $LASTEXITCODE | Should -Be 143
            Test-ProcessAlive $out | Should -BeFalse
        }

        It 'refuses to run unconfined unless -AllowUnconfined' {
            $env:LANDLOCKPS_TEST_ABI_CAP = '0'
            try {
                $Sys | Invoke-Sandboxed echo hi -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $ev[0].FullyQualifiedErrorId | Should -Be "LandlockNotSupported,$Id"
                $ev[0].Exception.Message | Should -Match '-AllowUnconfined'
                $out = $Sys | Invoke-Sandboxed echo hi -AllowUnconfined -WarningVariable wv 3>$null
                $out | Should -Be 'hi'
                "$wv" | Should -Match 'UNCONFINED'
            }
            finally { Remove-Item Env:LANDLOCKPS_TEST_ABI_CAP }
        }

        It 'refuses a ruleset the kernel enforces nothing of with RulesetNotEnforced' {
            Skip-UnlessLandlockAbi 3
            $env:LANDLOCKPS_TEST_ABI_CAP = '3'
            try {
                $netOnly = New-LandlockRuleset -HandledAccessFs None -Scope None
                $netOnly | Invoke-Sandboxed true -ErrorVariable ev -ErrorAction SilentlyContinue
                $ev[0].FullyQualifiedErrorId | Should -Be "RulesetNotEnforced,$Id"
                $ev[0].CategoryInfo.Category | Should -Be 'SecurityError'
            }
            finally { Remove-Item Env:LANDLOCKPS_TEST_ABI_CAP }
        }

        It 'warns about a partially enforced ruleset, and refuses it under HardRequirement' {
            Skip-UnlessLandlockAbi 3
            $env:LANDLOCKPS_TEST_ABI_CAP = '3'
            try {
                $rs = New-LandlockRuleset -Abi V4 | Add-LandlockPathRule /usr, /etc ReadExecute -PassThru
                $rs | Invoke-Sandboxed true -WarningVariable wv 3>$null
                "$wv" | Should -Match 'BindTcp, ConnectTcp'
                $rs.CompatibilityLevel = 'HardRequirement'
                $rs | Invoke-Sandboxed true -ErrorVariable ev -ErrorAction SilentlyContinue
                $ev[0].FullyQualifiedErrorId | Should -Be "CompatibilityRequirementNotMet,$Id"
            }
            finally { Remove-Item Env:LANDLOCKPS_TEST_ABI_CAP }
        }

        It 'leaves no child behind when a warning becomes an error (-WarningAction Stop), every time' {
            Skip-UnlessLandlockAbi 3
            $env:LANDLOCKPS_TEST_ABI_CAP = '3'
            try {
                $partial = New-LandlockRuleset -Abi V4 | Add-LandlockPathRule /usr, /etc ReadExecute -PassThru
                # Shown once already (the test before): where warnings stop the command, they still do.
                foreach ($time in 1, 2) { { $partial | Invoke-Sandboxed sleep 30 -WarningAction Stop } | Should -Throw }
                Get-ChildProcessId | Should -BeNullOrEmpty
            }
            finally { Remove-Item Env:LANDLOCKPS_TEST_ABI_CAP }
        }

        It 'warns about partial enforcement once per session, naming the fix; the result reports it every time' {
            Skip-UnlessLandlockAbi 3
            $env:LANDLOCKPS_TEST_ABI_CAP = '3'
            try {
                $session = Invoke-InNewSession {
                    $partial = New-LandlockRuleset -Abi V4 | Add-LandlockPathRule /usr, /etc ReadExecute -PassThru
                    $partial | Invoke-Sandboxed true -WarningAction SilentlyContinue -PassThru   # silenced: not counted as shown
                    $partial | Invoke-Sandboxed true -PassThru
                    $partial | Invoke-Sandboxed true -PassThru
                    $s = New-LandlockSession $partial
                    $s.Enforcement
                    Remove-PSSession $s
                    New-LandlockRuleset -Abi V5 | Add-LandlockPathRule /usr, /etc ReadExecute -PassThru | Invoke-Sandboxed true -PassThru
                }
                $session.Output.Status | Should -Be 'PartiallyEnforced', 'PartiallyEnforced', 'PartiallyEnforced', 'PartiallyEnforced', 'PartiallyEnforced'
                # The silenced first call wrote to no stream, and did not count: the second warns, the rest do not.
                $session.Warnings | Should -HaveCount 2
                $session.Warnings[0] | Should -Match 'Partially enforced: .*BindTcp, ConnectTcp of ruleset ABI V4.*-Abi V3 \(or pin abi = 3 in its policy file\); shown once per session\.$'
                $session.Warnings[1] | Should -Match 'IoctlDev, BindTcp, ConnectTcp of ruleset ABI V5'
            }
            finally { Remove-Item Env:LANDLOCKPS_TEST_ABI_CAP }
        }

        It 'runs nothing with -WhatIf and names the rules' {
            $marker = Join-Path $work ran
            $rs = New-SystemRuleset -Name whatif | Add-LandlockPathRule -LiteralPath $work.FullName ReadWrite -PassThru
            $text = $rs | Invoke-Sandboxed touch $marker -WhatIf 6>&1 | Out-String
            $marker | Should -Not -Exist
        }

        It 'leaves no child behind after any of this' {
            Get-ChildProcessId | Should -BeNullOrEmpty
        }
    }

    Context 'stopping' {
        BeforeAll {
            # Invoke-Sandboxed in a runspace of its own, stopped as Ctrl+C stops a command, once it
            # has written $Lines lines. Returns its output and the $LASTEXITCODE it left.
            function Stop-SandboxedRun([string[]] $Arguments, [int] $Lines, [hashtable] $Parameters = @{}) {
                $ps = [powershell]::Create()
                try {
                    # Import first, on its own: a batch (AddStatement) that is stopped can crash pwsh in
                    # PowerShell's own batch runner.
                    $null = $ps.AddCommand('Import-Module').AddArgument((Join-Path $RepoRoot 'LandlockPS.psd1')).Invoke()
                    $ps.Commands.Clear()
                    $null = $ps.AddCommand('Invoke-Sandboxed').AddParameter('Ruleset', $Sys).AddParameter('FilePath', 'sh').
                        AddParameter('ArgumentList', $Arguments).AddParameters($Parameters)
                    $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
                    $in = [System.Management.Automation.PSDataCollection[psobject]]::new()
                    $in.Complete()
                    $null = $ps.BeginInvoke($in, $out)
                    $deadline = [DateTime]::UtcNow.AddSeconds(20)
                    while ($out.Count -lt $Lines -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                    $out.Count | Should -Be $Lines
                    $ps.Stop()
                    $ps.InvocationStateInfo.State | Should -Be 'Stopped'
                    [pscustomobject]@{ Output = @($out | ForEach-Object { "$_" }); ExitCode = $ps.Runspace.SessionStateProxy.GetVariable('LASTEXITCODE') }
                }
                finally { $ps.Dispose() }
            }
        }

        It 'interrupts the child''s process group on Ctrl+C, ends what is left, and sets $LASTEXITCODE to 130' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $run = Stop-SandboxedRun '-c', 'sleep 300 & echo $!; echo $$; wait' -Lines 2
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5   # a hang guard: sh ends on SIGINT at once
            foreach ($pidText in $run.Output) { Test-ProcessAlive $pidText | Should -BeFalse }
            $run.ExitCode | Should -Be 130
        }

        It 'lets an INT trap run on Ctrl+C, and takes its exit code' {
            $marker = Join-Path $work trapped
            $rs = New-SystemRuleset | Add-LandlockPathRule -LiteralPath $work.FullName -Access ReadWrite -PassThru
            $script:Sys, $saved = $rs, $Sys
            try { $run = Stop-SandboxedRun '-c', "trap 'echo trapped > $marker; exit 5' INT; echo ready; while :; do sleep 0.1; done" -Lines 1 }
            finally { $script:Sys = $saved }
            Get-Content $marker | Should -Be 'trapped'
            $run.ExitCode | Should -Be 5
        }

        It 'kills a child that ignores Ctrl+C once -KillAfterSec has passed' {
            $run = Stop-SandboxedRun '-c', 'trap "" INT; echo $$; sleep 300' -Lines 1 -Parameters @{ KillAfterSec = 1 }
            Test-ProcessAlive $run.Output[0] | Should -BeFalse
            $run.ExitCode | Should -Be 137
        }

        It 'kills the child at once when a downstream command stops the pipeline' {
            $child = $Sys | Invoke-Sandboxed sh '-c', 'echo $$; exec sleep 300' | Select-Object -First 1
            Test-ProcessAlive $child | Should -BeFalse
            $LASTEXITCODE | Should -Be 137
        }
    }

    Context 'timeouts and exit status' {
        It 'sends SIGTERM on timeout, so a TERM trap runs, and says how the run ended' {
            $out = $Sys | Invoke-Sandboxed sh -TimeoutSec 1 -PassThru -ErrorVariable ev -ErrorAction SilentlyContinue -- -c 'trap "echo cleaned; exit 9" TERM; while :; do sleep 0.1; done'
            $out[0] | Should -Be 'cleaned'
            $out[-1].Ending | Should -Be 'TimedOut'
            $out[-1].KilledAfterGrace | Should -BeFalse
            $out[-1].ExitCode | Should -Be 9
            $LASTEXITCODE | Should -Be 9
            $ev.FullyQualifiedErrorId | Should -Be "TimeoutExceeded,$Id"
        }

        It 'kills a child that ignores SIGTERM after -KillAfterSec, and says so' {
            $r = $Sys | Invoke-Sandboxed sh -TimeoutSec 1 -KillAfterSec 1 -PassThru -ErrorVariable ev -ErrorAction SilentlyContinue -- -c 'trap "" TERM; sleep 60'
            $r.Ending | Should -Be 'TimedOut'
            $r.KilledAfterGrace | Should -BeTrue
            $r.ExitCode | Should -Be 137
            $LASTEXITCODE | Should -Be 137
            "$ev" | Should -Match 'SIGTERM, and killed 1 s later'
        }

        It 'reports an exit, and an ending by a signal it did not ask for' {
            ($Sys | Invoke-Sandboxed sh -PassThru -- -c 'exit 4') | Select-Object Ending, ExitCode, Signal |
                Should -BeLike ([pscustomobject]@{ Ending = 'Exited'; ExitCode = 4; Signal = $null })
            $signaled = $Sys | Invoke-Sandboxed sh -PassThru -- -c 'kill -SEGV $$'
            $signaled.Ending | Should -Be 'Signaled'
            $signaled.Signal | Should -Be 11
            $LASTEXITCODE | Should -Be 139
        }

        It 'makes $? $false after a non-zero exit, without an error record, as & does' {
            $errors = $Error.Count
            $Sys | Invoke-Sandboxed false
            $failed = -not $?
            $Sys | Invoke-Sandboxed true
            $succeeded = $?
            $failed | Should -BeTrue
            $succeeded | Should -BeTrue
            $Error.Count | Should -Be $errors
        }

        It 'refuses a negative -KillAfterSec with InvalidTimeout' {
            { $Sys | Invoke-Sandboxed true -KillAfterSec -1 } | Should -Throw -ErrorId "InvalidTimeout,$Id"
        }
    }

    Context '-Terminal, where no terminal is needed to tell' {
        It 'refuses what cannot go with a terminal: <What>' -TestCases @(
            @{ What = '-AsByteStream'; Call = { $Sys | Invoke-Sandboxed -Terminal true -AsByteStream } }
            @{ What = '-StandardError'; Call = { $Sys | Invoke-Sandboxed -Terminal true -StandardError Output } }
            @{ What = 'pipeline input'; Call = { 'x' | Invoke-Sandboxed -Ruleset $Sys -Terminal cat } }
            @{ What = '-InputObject'; Call = { $Sys | Invoke-Sandboxed -Terminal cat -InputObject x } }
        ) {
            $Call | Should -Throw -ErrorId "InvalidTerminalUse,$Id"
            Get-ChildProcessId | Should -BeNullOrEmpty
        }

        It 'leaves standard input at end of file without -Terminal, so an interactive program ends at once' {
            $r = $Sys | Invoke-Sandboxed bash -PassThru -TimeoutSec 30 -- -i 6>$null
            $r.Ending | Should -Be 'Exited'
        }

        It 'gives a program its terminal without one on this side, and relays its output' {
            $out = $Sys | Invoke-Sandboxed -Terminal -PassThru sh -- -c 'tty; exit 2' 6>$null | Select-Object -Last 1
            $out.ExitCode | Should -Be 2
            $out.ImplicitRules.Path | Should -Contain '/dev/tty'
            ($out.ImplicitRules.Path -match '^/dev/pts/\d+$') | Should -HaveCount 1
        }
    }
}

Describe 'The caller after many sandboxed runs' {
    It 'is never confined, keeps its reads, descriptors and no children' {
        $before = Get-Content /etc/passwd -Raw
        $module = Join-Path $RepoRoot 'LandlockPS.psd1'
        1..20 | ForEach-Object -Parallel { Import-Module $using:module; $using:Sys | Invoke-Sandboxed true } -ThrottleLimit 4
        $baseline = (Get-ChildItem /proc/$PID/fd).Count

        1..150 | ForEach-Object { $Sys | Invoke-Sandboxed true }
        $results = 1..150 | ForEach-Object -Parallel { Import-Module $using:module; $using:Sys | Invoke-Sandboxed echo $_ } -ThrottleLimit 8
        ($results | Sort-Object { [int]$_ }) | Should -Be (1..150 | ForEach-Object { "$_" })

        Get-RestrictedThread | Should -BeNullOrEmpty
        Get-Content /etc/passwd -Raw | Should -Be $before
        (Get-ChildItem /proc/$PID/fd).Count | Should -Be $baseline
        Get-ChildProcessId | Should -BeNullOrEmpty
    }
}
