BeforeAll {
    . $PSScriptRoot/common.ps1

    # The events about one path (or, without a path, all of them).
    function Find-Access($Events, [string] $Path, [string] $Operation) {
        @($Events | Where-Object { $_.Path -eq $Path -and (-not $Operation -or $_.Operation -eq $Operation) })
    }
}

Describe 'Trace-LandlockAccess' {
    BeforeAll {
        $script:Work = (New-Item -ItemType Directory (Join-Path TestDrive: work)).FullName
        $script:Data = (New-Item -ItemType Directory (Join-Path $Work data)).FullName
        $null = New-Item -ItemType Directory (Join-Path $Work sub)
        Set-Content (Join-Path $Data a.txt) 'alpha'
        Set-Content (Join-Path $Data b.txt) 'beta'
    }

    AfterEach {
        # The caller's integrity after every trace: no thread with a filter or no_new_privs, no process left behind.
        Get-RestrictedThread | Should -BeNullOrEmpty
        Get-ChildProcessId | Should -BeNullOrEmpty
    }

    It 'leaves the caller as it was: no descriptor (a listener) open, no thread restricted, after traces of both kinds' {
        $null = Trace-LandlockAccess /bin/true
        $null = Trace-LandlockAccess -ScriptBlock { 1 } 6>$null
        $baseline = (Get-ChildItem /proc/$PID/fd).Count
        foreach ($i in 1..3) {
            $null = Trace-LandlockAccess /bin/sh -- -c 'cat /etc/hostname; : > /dev/null'
            $null = Invoke-Sandboxed -Ruleset (New-SystemRuleset) -ExplainDenials /bin/cat /etc/hostname 3>$null
        }
        $null = Trace-LandlockAccess -ScriptBlock { 1 } 6>$null
        (Get-ChildItem /proc/$PID/fd).Count | Should -Be $baseline
        Get-RestrictedThread | Should -BeNullOrEmpty
        # A thread may end between the listing and the read (a pool thread retiring): it is restricted by nothing then.
        @(Get-Content /proc/$PID/task/*/status -ErrorAction Ignore | Select-String '^Seccomp:\s+[12]|^NoNewPrivs:\s+1') | Should -BeNullOrEmpty
    }

    It 'resolves a relative path against the working directory the program is in when it makes the call' {
        $events = Trace-LandlockAccess -WorkingDirectory $Work /bin/sh -- -c 'cd sub && cat ../data/a.txt'
        $read = Find-Access $events "$Data/a.txt" open
        $read.Count | Should -Be 1
        $read[0].Access | Should -Be ReadFile
        $read[0].Program | Should -BeLike '*/cat'
        $read[0].Allowed | Should -BeNullOrEmpty -Because 'a trial without -Ruleset judges nothing'
    }

    It 'resolves *at paths against the directory their descriptor names (rm -r removes with unlinkat)' {
        $tree = New-Item -ItemType Directory (Join-Path $Work tree/inner) -Force
        Set-Content (Join-Path $tree leaf.txt) 'x'
        $events = Trace-LandlockAccess -WorkingDirectory $Work rm -- -r tree
        (Find-Access $events "$Work/tree/inner/leaf.txt" unlink)[0].Access | Should -Be RemoveFile
        (Find-Access $events "$Work/tree/inner" rmdir)[0].Access | Should -Be RemoveDir
        (Find-Access $events "$Work/tree" rmdir)[0].Access | Should -Be RemoveDir
        Test-Path (Join-Path $Work tree) | Should -BeFalse -Because 'the trace only records: the calls ran'
    }

    It 'names the rights each kind of call needs, on the entry it concerns' {
        $events = Trace-LandlockAccess -WorkingDirectory $Work /bin/sh -- -c 'mkdir made; echo x > made/new.txt; echo y > made/new.txt; ln -s new.txt made/link; mv made/new.txt data/moved.txt; rm data/moved.txt made/link; rmdir made'
        (Find-Access $events "$Work/made" mkdir)[0].Access | Should -Be MakeDir
        @(Find-Access $events "$Work/made/new.txt" open).Access | Should -Contain ([LandlockPS.Core.Landlock.LandlockAccessFs]'WriteFile, MakeReg')
        @(Find-Access $events "$Work/made/new.txt" open).Access | Should -Contain ([LandlockPS.Core.Landlock.LandlockAccessFs]'WriteFile, Truncate')
        (Find-Access $events "$Work/made/link" symlink)[0].Access | Should -Be MakeSym
        (Find-Access $events "$Work/made/new.txt" rename)[0].Access | Should -Be ([LandlockPS.Core.Landlock.LandlockAccessFs]'RemoveFile, Refer')
        (Find-Access $events "$Data/moved.txt" rename)[0].Access | Should -Be ([LandlockPS.Core.Landlock.LandlockAccessFs]'MakeReg, Refer')
        (Find-Access $events "$Data/moved.txt" unlink)[0].Access | Should -Be RemoveFile
        (Find-Access $events "$Work/made" rmdir)[0].Access | Should -Be RemoveDir
    }

    It 'reports nothing for calls the kernel fails before Landlock is asked (a missing file, an existing directory)' {
        $events = Trace-LandlockAccess -WorkingDirectory $Work /bin/sh -- -c 'cat nothing-here.txt; mkdir data' -ErrorAction SilentlyContinue
        Find-Access $events "$Work/nothing-here.txt" | Should -BeNullOrEmpty
        Find-Access $events $Data mkdir | Should -BeNullOrEmpty
    }

    It 'reports no execve of a name that does not exist (each folder of a PATH search), and the program found' {
        # env runs its program as execvp does: it tries the name in each PATH folder until one exists.
        $events = Trace-LandlockAccess -Environment @{ PATH = "$Work/no-such-folder:/usr/bin" } env true
        Find-Access $events "$Work/no-such-folder/true" | Should -BeNullOrEmpty
        (Find-Access $events /usr/bin/true execve) | Should -HaveCount 1
    }

    It 'notes where a symbolic link leads' {
        $link = Join-Path $Work 'to-a.txt'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target (Join-Path $Data a.txt)
        $events = Trace-LandlockAccess cat $link
        $read = Find-Access $events $link open
        $read[0].LinkTarget | Should -Be "$Data/a.txt"
        (Find-Access $events "$Data/a.txt" open) | Should -BeNullOrEmpty -Because 'the program named the link'
    }

    It 'follows forks and execs: every process of the run is traced, each with its program' {
        $events = Trace-LandlockAccess -WorkingDirectory $Data /bin/sh -- -c '(cat a.txt); /bin/sh -c "cat b.txt" &  wait'
        $a = (Find-Access $events "$Data/a.txt" open)[0]
        $b = (Find-Access $events "$Data/b.txt" open)[0]
        $a.Program | Should -BeLike '*/cat'
        $b.Program | Should -BeLike '*/cat'
        $a.ProcessId | Should -Not -Be $b.ProcessId
        $shell = @(Find-Access $events /bin/sh execve)
        $shell.Count | Should -Be 1
        $shell[0].Count | Should -Be 2 -Because 'the same access, made twice, is one event with a count'
    }

    It 'reports connects and binds with their ports, and a trial of a script block with its block''s own accesses apart' {
        $events = Trace-LandlockAccess -ScriptBlock {
            $listener = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
            $listener.Start()
            $port = $listener.LocalEndpoint.Port
            $client = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port)
            $client.Dispose(); $listener.Stop()
            Get-Content "$using:Data/a.txt"
        }
        $bind = @($events | Where-Object Operation -EQ bind)
        $bind[0].NetAccess | Should -Be BindTcp
        $bind[0].Port | Should -Be 0
        $connect = @($events | Where-Object { $_.Operation -eq 'connect' -and $null -ne $_.Port })
        $connect[0].NetAccess | Should -Be ConnectTcp
        $connect[0].Port | Should -BeGreaterThan 0
        $own = Find-Access $events "$Data/a.txt" open
        $own[0].Implicit | Should -BeFalse
        @($events | Where-Object Implicit).Count | Should -BeGreaterThan 10 -Because "the child pwsh reads its runtime under its implicit rules"
        @($events | Where-Object { $_.Path -like "$PSHOME/*" -and -not $_.Implicit }) | Should -BeNullOrEmpty
    }

    It 'marks what a block''s child pwsh did only while it started as Startup, and a block''s own access to the same place as its own' {
        $events = Trace-LandlockAccess -ScriptBlock { $null = [System.IO.Directory]::GetFiles('/sys/devices/system/node') } 6>$null
        $startup = @($events | Where-Object { $_.Startup -and -not $_.Implicit })
        $startup.Count | Should -BeGreaterThan 0 -Because 'pwsh reads places of its own while it starts (.NET probes /sys/devices/system/node, pwsh lists /)'
        $node = Find-Access $events /sys/devices/system/node open
        $node[0].Startup | Should -BeFalse -Because 'the block listed it too'
        $node[0].Count | Should -Be 1 -Because 'it counts the block''s own listing, not the start-up''s as well'
        $idle = Trace-LandlockAccess -ScriptBlock { 1 } 6>$null
        (Find-Access $idle /sys/devices/system/node open)[0].Startup | Should -BeTrue -Because 'the twin: a block that does not list it'
        $out = $idle | ConvertTo-LandlockRuleset -Verbose -WarningAction SilentlyContinue 4>&1
        @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'made only while it started' }).Count | Should -Be 1
        ($out | Where-Object { $_ -is [LandlockPS.Core.Landlock.LandlockRuleset] }).PathRules.Path | Should -Not -Contain /sys/devices/system/node
    }

    It 'judges each access against -Ruleset: the denied one with its fix, the allowed twin without' {
        $ruleset = New-SystemRuleset | Add-LandlockPathRule -Path (Join-Path $Data a.txt) -Access ReadFile -PassThru
        $events = Trace-LandlockAccess -Ruleset $ruleset -WorkingDirectory $Data -InformationVariable shown /bin/sh -- -c 'cat a.txt; cat b.txt'
        $allowed = (Find-Access $events "$Data/a.txt" open)[0]
        $denied = (Find-Access $events "$Data/b.txt" open)[0]
        $allowed.Allowed | Should -BeTrue
        $allowed.Suggestion | Should -BeNullOrEmpty
        $denied.Allowed | Should -BeFalse
        $denied.DeniedAccess | Should -Be ReadFile
        $denied.Suggestion | Should -Be "Add-LandlockPathRule -Ruleset `$ruleset -LiteralPath '$Data/b.txt' -Access ReadFile"
        # The kernel agreed: the trial really ran confined.
        ($shown.MessageData.Message -join "`n") | Should -Match 'alpha'
        ($shown.MessageData.Message -join "`n") | Should -Match 'b\.txt: Permission denied'
    }

    It 'judges a block''s accesses against -Ruleset with the rules its child pwsh ran with: its own needs are allowed, the block''s denial is not' {
        $ruleset = New-SystemRuleset
        $events = Trace-LandlockAccess -Ruleset $ruleset -ScriptBlock { try { Get-Content "$using:Data/b.txt" -ErrorAction Stop } catch { } } 6>$null
        $implicit = @($events | Where-Object Implicit)
        $implicit.Count | Should -BeGreaterThan 0
        @($implicit | Where-Object { -not $_.Allowed -and -not $_.Startup }) | Should -BeNullOrEmpty -Because 'the child pwsh ran with its implicit rules'
        @($implicit | Where-Object Suggestion) | Should -BeNullOrEmpty
        $denied = (Find-Access $events "$Data/b.txt" open)[0]
        $denied.Allowed | Should -BeFalse
        $denied.Suggestion | Should -Match ([regex]::Escape("-LiteralPath '$Data/b.txt' -Access ReadFile"))
    }

    It 'shows the run''s output on the host and emits only events' {
        $out = Trace-LandlockAccess echo hello -InformationVariable shown
        $out | ForEach-Object { $_ | Should -BeOfType ([LandlockPS.Core.Observe.LandlockAccessEvent]) }
        $shown.MessageData.Message | Should -Contain 'hello'
    }

    It 'keeps a flood bounded, and says how much was not recorded' {
        $events = Trace-LandlockAccess -MaximumAccessCount 20 -WorkingDirectory $Work -WarningVariable warned /bin/sh -- -c 'mkdir flood; i=0; while [ $i -lt 200 ]; do : > flood/f$i; i=$((i+1)); done; rm -r flood' 3>$null
        @($events).Count | Should -Be 20
        $warned.Message | Should -Match '^\d+ call\(s\) were not recorded: the run made more than 20 distinct accesses'
        Test-Path (Join-Path $Work flood) | Should -BeFalse -Because 'the flood ran to its end'
    }

    It 'traces concurrent runs apart: each sees its own program only' {
        $module = Join-Path $RepoRoot 'LandlockPS.psd1'
        $results = 'a', 'b', 'a', 'b' | ForEach-Object -ThrottleLimit 4 -Parallel {
            Import-Module $using:module
            $file = Join-Path $using:Data "$_.txt"
            [pscustomobject]@{ File = $file; Events = @(Trace-LandlockAccess /bin/sh -- -c "cat '$file'; sleep 0.2; cat '$file'") }
        }
        foreach ($result in $results) {
            $other = if ($result.File -like '*a.txt') { "$Data/b.txt" } else { "$Data/a.txt" }
            (Find-Access $result.Events $result.File open)[0].Count | Should -Be 2
            Find-Access $result.Events $other | Should -BeNullOrEmpty
        }
    }

    It 'shows a file name the sandbox chose with its control characters visible, never acting on the terminal' {
        $name = "evil`e]0;pwned`a`n.txt"
        $events = Trace-LandlockAccess -WorkingDirectory $Work /bin/sh -- -c "printf x > '$name'; rm '$name'"
        $made = (Find-Access $events (Join-Path $Work $name) open)[0]
        $made.Path | Should -Be (Join-Path $Work $name) -Because 'the event keeps the real name, for what consumes it'
        foreach ($text in ($made | Format-Table | Out-String -Width 300), ($made | Format-List | Out-String -Width 300)) {
            $text | Should -Not -Match '[\x00-\x08\x0b-\x1f\x7f]'
            $text | Should -Match 'evil\u241B\]0;pwned\u2407\u240A\.txt'
        }
    }

    It 'refuses to trace inside a traced run, saying why (NestedTraceNotSupported), and traces inside an untraced one' {
        $nested = {
            Import-Module LandlockPS
            try { $null = Trace-LandlockAccess /bin/true -ErrorAction Stop; 'traced' }
            catch { "$($_.FullyQualifiedErrorId) $($_.CategoryInfo.Category) $($_.Exception.Message)" }
        }
        $inTraced = Invoke-Sandboxed -Ruleset (New-SystemRuleset) -ExplainDenials -ScriptBlock $nested 3>$null
        $inTraced | Should -BeLike 'NestedTraceNotSupported,LandlockPS.Commands.TraceLandlockAccessCommand ResourceUnavailable This run cannot be traced: this process itself runs inside a traced run*'
        Invoke-Sandboxed -Ruleset (New-SystemRuleset) -ScriptBlock $nested | Should -Be 'traced' -Because 'the twin: an untraced sandbox holds no listener'
    }

    It 'runs nothing with -WhatIf' {
        Trace-LandlockAccess -WhatIf -WorkingDirectory $Work touch never.txt | Should -BeNullOrEmpty
        Test-Path (Join-Path $Work never.txt) | Should -BeFalse
    }

    It 'refuses a program that does not exist, as Invoke-Sandboxed does' {
        { Trace-LandlockAccess no-such-program-llps -ErrorAction Stop } | Should -Throw -ErrorId 'ExecutableNotFound,LandlockPS.Commands.TraceLandlockAccessCommand'
    }
}

Describe 'Invoke-Sandboxed -ExplainDenials' {
    BeforeAll {
        $script:Data = (New-Item -ItemType Directory (Join-Path TestDrive: explain)).FullName
        Set-Content (Join-Path $Data a.txt) 'alpha'
        Set-Content (Join-Path $Data b.txt) 'beta'
        $script:Ruleset = New-SystemRuleset | Add-LandlockPathRule -Path (Join-Path $Data a.txt) -Access ReadFile -PassThru
    }

    AfterEach {
        Get-RestrictedThread | Should -BeNullOrEmpty
        Get-ChildProcessId | Should -BeNullOrEmpty
    }

    It 'warns once per denied access with the fix, and -PassThru carries the same list' {
        $out = Invoke-Sandboxed -Ruleset $Ruleset -ExplainDenials -PassThru -WorkingDirectory $Data -WarningVariable warned /bin/sh -- -c 'cat b.txt; cat b.txt; cat a.txt' 3>$null 2>$null 6>$null
        $result = $out | Where-Object { $_ -is [LandlockPS.Core.Sandbox.SandboxResult] }
        $out | Should -Contain 'alpha'
        @($warned).Count | Should -Be 1
        $cat = & realpath (Get-Command cat -CommandType Application)[0].Source
        $warned[0].Message | Should -Be "Denied ReadFile on $Data/b.txt (open by $cat, 2 times). Fix: Add-LandlockPathRule -Ruleset `$ruleset -LiteralPath '$Data/b.txt' -Access ReadFile"
        @($result.Denials).Count | Should -Be 1
        $result.Denials[0].Path | Should -Be "$Data/b.txt"
        $result.Denials[0].Count | Should -Be 2
    }

    It 'shows a denied path with a line end in it on one line, so it cannot start a fake fix of its own' {
        $name = "n`nFix: Add-LandlockPathRule -LiteralPath root -Access ReadWrite"
        $null = Invoke-Sandboxed -Ruleset $Ruleset -ExplainDenials -WorkingDirectory $Data -WarningVariable warned /bin/sh -- -c 'echo x > "$1"' sh $name 2>$null 3>$null
        @($warned).Count | Should -Be 1
        $warned[0].Message | Should -Not -Match "`n"
        $warned[0].Message | Should -Match '^Denied [A-Za-z, ]+ on .*/n␊Fix: Add-LandlockPathRule -LiteralPath root -Access ReadWrite \(open by'
    }

    It 'leaves out the UNIX socket a block''s pwsh tries as it closes down (syslog), and reports one the block makes' {
        if (-not (Get-LandlockAbi).Emulation.HasFlag([LandlockPS.Core.Landlock.LandlockEmulation]::UnixSockets)) {
            Set-ItResult -Skipped -Because 'this kernel''s Landlock restricts UNIX sockets itself: nothing is closed by LandlockPS'
            return
        }
        $handling = New-LandlockRuleset # the newest ABI: ResolveUnix handled, so UNIX sockets are closed here
        $null = Invoke-Sandboxed -Ruleset $handling -ExplainDenials { 'ok' } -WarningVariable quiet 3>$null
        $quiet | Should -BeNullOrEmpty
        $null = Invoke-Sandboxed -Ruleset $handling -ExplainDenials { try { [Net.Sockets.Socket]::new('Unix', 'Stream', 'Unspecified') } catch { } } -WarningVariable warned 3>$null
        @($warned -match '^Denied a UNIX socket').Count | Should -Be 1
    }

    It 'says nothing when nothing was denied (the allowed twin)' {
        $out = Invoke-Sandboxed -Ruleset $Ruleset -ExplainDenials -PassThru -WorkingDirectory $Data cat a.txt -WarningVariable warned
        $out | Should -Contain 'alpha'
        $warned | Should -BeNullOrEmpty
        ($out | Where-Object { $_ -is [LandlockPS.Core.Sandbox.SandboxResult] }).Denials | Should -BeNullOrEmpty
    }

    It 'leaves out what the block''s child pwsh did on its own (starting, finding common commands), and reports the block''s own access to the same places' {
        $null = Invoke-Sandboxed -Ruleset $Ruleset -ExplainDenials -ScriptBlock {
            Get-Content "$using:Data/a.txt"; $null = Get-Date; $null = Get-Item "$using:Data/a.txt"
        } -WarningVariable quiet 3>$null
        $quiet | Should -BeNullOrEmpty -Because 'pwsh lists / and /sys/devices/system/node as it starts, and does without them'
        $null = Invoke-Sandboxed -Ruleset $Ruleset -ExplainDenials -ScriptBlock {
            $null = Get-ChildItem / -ErrorAction SilentlyContinue
            try { $null = [System.IO.Directory]::GetFiles('/sys/devices/system/node') } catch { }
        } -WarningVariable warned 3>$null
        @($warned.Message -like 'Denied ReadDir on / (open by *').Count | Should -Be 1
        @($warned.Message -like 'Denied ReadDir on /sys/devices/system/node (open by *').Count | Should -Be 1
    }

    It 'explains what LandlockPS''s own filter closes where the kernel cannot (UNIX and UDP sockets), failing each call as an untraced run does' {
        Skip-UnlessLandlockAbi -Minimum 1 -Below 9
        $system = '/usr', '/bin', '/lib', '/lib64', '/etc'
        $closing = New-LandlockRuleset -Abi V10 | Add-LandlockPathRule -Path $system -Access ReadExecute -IgnoreMissing -PassThru
        $probe = {
            foreach ($kind in @('Unix', 'Stream', 'Unspecified'), @('InterNetwork', 'Dgram', 'Udp')) {
                try { [System.Net.Sockets.Socket]::new($kind[0], $kind[1], $kind[2]).Dispose(); "$($kind[0]): made" }
                catch { "$($kind[0]): $(($_.Exception.InnerException ?? $_.Exception).SocketErrorCode)" }
            }
        }
        $untraced = Invoke-Sandboxed -Ruleset $closing -ScriptBlock $probe 3>$null
        $untraced | Should -Be 'Unix: AccessDenied', 'InterNetwork: AccessDenied' -Because 'the emulation closes both classes on this kernel'
        $traced = Invoke-Sandboxed -Ruleset $closing -ScriptBlock $probe -ExplainDenials -WarningVariable warned 3>$null
        $traced | Should -Be $untraced -Because 'the observer fails them with the errno the filter fails them with untraced'
        $denied = @($warned.Message -like 'Denied *')
        @($denied -like "Denied a UNIX socket (socket by */pwsh*). Fix: Add-LandlockPathRule -Ruleset `$ruleset -LiteralPath <the socket> -Access ResolveUnix (a rule of ResolveUnix alone*New-LandlockRuleset -Abi V8*").Count | Should -Be 1
        @($denied -like 'Denied a UDP socket (socket by */pwsh*). Fix: Add-LandlockNetRule -Ruleset $ruleset -Port <the port> -Access ConnectSendUdp *New-LandlockRuleset -Abi V9').Count | Should -Be 1

        $events = Trace-LandlockAccess -Ruleset $closing -ScriptBlock $probe 6>$null 3>$null
        $unix = @($events | Where-Object Emulation -EQ UnixSockets)
        $unix[0].Operation | Should -Be socket
        $unix[0].Allowed | Should -BeFalse
        $unix[0].Reason | Should -BeLike 'LandlockPS closes UNIX sockets on this kernel*'

        # The twin: a ruleset that does not handle those rights closes nothing, and nothing is denied.
        $open = New-LandlockRuleset -Abi V7 | Add-LandlockPathRule -Path $system -Access ReadExecute -IgnoreMissing -PassThru
        Invoke-Sandboxed -Ruleset $open -ScriptBlock $probe -ExplainDenials -WarningVariable quiet | Should -Be 'Unix: made', 'InterNetwork: made'
        $quiet | Should -BeNullOrEmpty
    }

    It 'explains a denied connect with the net rule that would allow it' {
        $ruleset = New-SystemRuleset
        $null = Invoke-Sandboxed -Ruleset $ruleset -ExplainDenials -ScriptBlock {
            try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', 9).Dispose() } catch { }
        } -WarningVariable warned 3>$null
        @($warned.Message -match '^Denied ConnectTcp on port 9 \(connect by /.+\)\. Fix: Add-LandlockNetRule -Ruleset \$ruleset -Port 9 -Access ConnectTcp$').Count | Should -Be 1
    }

    It 'leaves a script block''s implicit rules out, and explains what the block itself was denied' {
        $out = Invoke-Sandboxed -Ruleset $Ruleset -ExplainDenials -PassThru -ScriptBlock {
            Get-Content "$using:Data/a.txt"
            Get-Content "$using:Data/b.txt" -ErrorAction SilentlyContinue
        } -WarningVariable warned 3>$null
        $out | Should -Contain 'alpha'
        $result = $out | Where-Object { $_ -is [LandlockPS.Core.Sandbox.SandboxResult] }
        $result.Denials.Path | Should -Contain "$Data/b.txt"
        $result.Denials.Path | Should -Not -Contain "$Data/a.txt"
        $result.Denials | Where-Object { $_.Path -like "$PSHOME/*" } | Should -BeNullOrEmpty
        @($warned.Message -like "Denied ReadFile on $Data/b.txt (open by *").Count | Should -Be 1
    }
}
