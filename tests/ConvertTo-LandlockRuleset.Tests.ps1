BeforeAll {
    . $PSScriptRoot/common.ps1

    function New-AccessEvent([string] $Path, [string] $Access, [long] $Count = 1, [string] $Program = '/usr/bin/tool', [string] $Operation = 'open') {
        [LandlockPS.Core.Observe.LandlockAccessEvent]@{ Program = $Program; Operation = $Operation; Path = $Path; Access = $Access; Count = $Count }
    }

    # The rules of a ruleset, one line each, in order: what two proposals are compared by.
    function Get-RuleText($Ruleset) {
        @($Ruleset.PathRules | Sort-Object Path | ForEach-Object { "$($_.Path)=$($_.Access)" }) +
        @($Ruleset.NetRules | Sort-Object Port | ForEach-Object { "$($_.Port)=$($_.Access)" })
    }

    $script:Work = (New-Item -ItemType Directory (Join-Path $TestDrive 'work')).FullName
    $null = New-Item -ItemType Directory "$Work/data", "$Work/out"
    Set-Content "$Work/data/input.txt" 'evidence'
    Set-Content "$Work/secret.txt" 'secret'
    $script:Events = @(
        New-AccessEvent -Path /usr/bin/sort -Access Execute -Operation execve
        New-AccessEvent -Path "$Work/data/input.txt" -Access ReadFile -Count 3
        New-AccessEvent -Path "$Work/data" -Access ReadDir
        New-AccessEvent -Path "$Work/out/sorted.txt" -Access 'WriteFile, MakeReg'
        [LandlockPS.Core.Observe.LandlockAccessEvent]@{ Program = '/usr/bin/sort'; Operation = 'connect'; Port = 8080; NetAccess = 'ConnectTcp' }
    )
    $script:Abi = [LandlockPS.Core.Landlock.LandlockAbi][Math]::Min([int][LandlockPS.Core.Landlock.AbiFeatures]::Newest, [int](Get-LandlockAbi).EffectiveAbi)
}

Describe 'ConvertTo-LandlockRuleset' {
    It 'proposes an ordinary ruleset that carries every rule with how often it was seen' {
        $ruleset = $Events | ConvertTo-LandlockRuleset

        $ruleset | Should -BeOfType LandlockPS.Core.Landlock.LandlockRuleset
        $ruleset.Name | Should -Be 'proposed'
        Get-RuleText $ruleset | Should -Be @("$Work/data=ReadDir", "$Work/data/input.txt=ReadFile", "$Work/out=WriteFile, MakeReg, Truncate", '/usr=ReadExecute', '8080=ConnectTcp')
        $rules = $ruleset.ProposedRules
        $rules | Should -HaveCount 5
        ($rules | Where-Object Path -EQ "$Work/data/input.txt").SeenCount | Should -Be 3
        ($rules | Where-Object Port -EQ 8080).Basis | Should -Be 'connect'
        $rules.Included | Should -Not -Contain $false
    }

    It 'gives a ruleset Export-LandlockRuleset and Invoke-Sandboxed take as they take any' {
        $ruleset = $Events | ConvertTo-LandlockRuleset -Abi $Abi -Name sort
        $policy = Join-Path $TestDrive 'sort.toml'
        $ruleset | Export-LandlockRuleset $policy
        Assert-SameRuleset $ruleset (Import-LandlockRuleset $policy)

        $result = $ruleset | Invoke-Sandboxed sort -PassThru -- -o "$Work/out/sorted.txt" "$Work/data/input.txt"
        $result.ExitCode | Should -Be 0
        $result.Status | Should -Be FullyEnforced
        Get-Content "$Work/out/sorted.txt" | Should -Be 'evidence'
        $denied = $ruleset | Invoke-Sandboxed cat "$Work/secret.txt" -PassThru 2>$null
        $denied.ExitCode | Should -Not -Be 0
    }

    It 'reads the same events back from <Format> and proposes the same ruleset' -TestCases @(
        @{ Format = 'CSV'; Save = { param($e, $f) $e | Export-Csv $f }; Load = { param($f) Import-Csv $f } }
        @{ Format = 'JSON'; Save = { param($e, $f) $e | ConvertTo-Json | Set-Content $f }; Load = { param($f) Get-Content -Raw $f | ConvertFrom-Json } }
        @{ Format = 'JSON with enums as text'; Save = { param($e, $f) $e | ConvertTo-Json -EnumsAsStrings | Set-Content $f }; Load = { param($f) Get-Content -Raw $f | ConvertFrom-Json } }
        @{ Format = 'Clixml'; Save = { param($e, $f) $e | Export-Clixml $f }; Load = { param($f) Import-Clixml $f } }
    ) {
        param($Format, $Save, $Load)
        $file = Join-Path $TestDrive "trace-$([guid]::NewGuid())"
        & $Save $Events $file

        $direct = $Events | ConvertTo-LandlockRuleset
        $saved = & $Load $file | ConvertTo-LandlockRuleset

        Get-RuleText $saved | Should -Be (Get-RuleText $direct)
        ($saved.ProposedRules | Where-Object Path -EQ "$Work/data/input.txt").SeenCount | Should -Be 3
    }

    It 'reads text as what it says: Implicit "False" is false, "True" is true' {
        $rows = @(
            [pscustomobject]@{ Path = "$Work/data/input.txt"; Access = 'ReadFile'; Implicit = 'False'; Count = '2'; Port = '' }
            [pscustomobject]@{ Path = "$Work/secret.txt"; Access = 'ReadFile'; Implicit = 'True'; Count = '1'; Port = '' }
        )
        Get-RuleText ($rows | ConvertTo-LandlockRuleset) | Should -Be @("$Work/data/input.txt=ReadFile")
    }

    It 'takes hashtables, and events from several traces together (their counts add up)' {
        $first = @{ Path = "$Work/data/input.txt"; Access = 'ReadFile'; Count = 2 }
        $second = @{ Path = "$Work/data/input.txt"; Access = 'ReadFile'; Count = 5; Program = '/usr/bin/other' }
        $ruleset = $first, $second | ConvertTo-LandlockRuleset
        $ruleset.ProposedRules.SeenCount | Should -Be 7
        $ruleset.ProposedRules.Programs | Should -Be '/usr/bin/other'
    }

    It 'reports an object that is not an access event, and still uses the others' {
        $ruleset = @([pscustomobject]@{ Name = 'not an event' }) + $Events | ConvertTo-LandlockRuleset -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad | Should -HaveCount 1
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError*'
        $bad[0].Exception.Message | Should -Match 'neither a Path nor a Port'
        $ruleset.PathRules | Should -HaveCount 4
    }

    It 'refuses rights no Landlock right stands for' {
        $row = [pscustomobject]@{ Path = "$Work/data/input.txt"; Access = [ulong]1 -shl 40 }
        $null = $row | ConvertTo-LandlockRuleset -ErrorVariable bad -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $bad[0].Exception.Message | Should -Match 'bits no Landlock right stands for'
    }

    It 'leaves flagged rules out with one warning that names each and says how to grant it' {
        $flagged = @(
            New-AccessEvent -Path /etc/hosts -Access WriteFile
            New-AccessEvent -Path /etc/shadow -Access ReadFile
        ) + $Events
        $ruleset = $flagged | ConvertTo-LandlockRuleset -WarningVariable warned -WarningAction SilentlyContinue

        $ruleset.PathRules.Path | Should -Not -Contain /etc/hosts
        $ruleset.PathRules.Path | Should -Not -Contain /etc/shadow
        $warned | Should -HaveCount 1
        "$warned" | Should -Match '-IncludeFlagged'
        "$warned" | Should -Match ([regex]::Escape("Add-LandlockPathRule -Ruleset `$ruleset -LiteralPath '/etc/hosts' -Access WriteFile"))
        "$warned" | Should -Match ([regex]::Escape("-LiteralPath '/etc/shadow' -Access ReadFile"))
        $left = $ruleset.ProposedRules | Where-Object { -not $_.Included }
        $left.Flag | Sort-Object | Should -Be @('SystemWrite', 'Secret')

        $granted = $flagged | ConvertTo-LandlockRuleset -IncludeFlagged -WarningVariable warned -WarningAction SilentlyContinue
        $granted.PathRules.Path | Should -Contain /etc/hosts
        "$warned" | Should -Match 'grants 2 flagged rule'
    }

    It 'the paste-ready command of a flagged rule adds exactly that rule' {
        $ruleset = New-AccessEvent -Path /etc/hosts -Access WriteFile | ConvertTo-LandlockRuleset -WarningAction SilentlyContinue
        & ([scriptblock]::Create($ruleset.ProposedRules[0].Command))
        Get-RuleText $ruleset | Should -Be '/etc/hosts=WriteFile'
    }

    It 'widens with -Granularity <Granularity>' -TestCases @(
        @{ Granularity = 'File'; Expected = @('{0}/logs/a/monday.log=ReadFile', '{0}/logs/b/tuesday.log=ReadFile') }
        @{ Granularity = 'Directory'; Expected = @('{0}/logs/a=ReadFile', '{0}/logs/b=ReadFile') }
        @{ Granularity = 'Tree'; Expected = @('{0}/logs=ReadFile') }
    ) {
        param($Granularity, $Expected)
        $null = New-Item -ItemType Directory -Force "$Work/logs/a", "$Work/logs/b"
        Set-Content "$Work/logs/a/monday.log", "$Work/logs/b/tuesday.log" 'ok'
        $events = (New-AccessEvent -Path "$Work/logs/a/monday.log" -Access ReadFile), (New-AccessEvent -Path "$Work/logs/b/tuesday.log" -Access ReadFile)

        Get-RuleText ($events | ConvertTo-LandlockRuleset -Granularity $Granularity) | Should -Be ($Expected | ForEach-Object { $_ -f $Work })
    }

    It 'leaves out what -ExcludePath names, relative paths against the location' {
        Push-Location $Work
        try {
            $ruleset = $Events | ConvertTo-LandlockRuleset -ExcludePath ./out, ./data -Verbose 4>&1 | Where-Object { $_ -is [LandlockPS.Core.Landlock.LandlockRuleset] }
        }
        finally {
            Pop-Location
        }
        Get-RuleText $ruleset | Should -Be @('/usr=ReadExecute', '8080=ConnectTcp')
    }

    It 'writes the ABI it is asked for, and leaves out rights that ABI lacks (-Verbose says so)' {
        $ruleset = $Events | ConvertTo-LandlockRuleset -Abi V3 -Verbose 4>&1 -OutVariable out | Where-Object { $_ -is [LandlockPS.Core.Landlock.LandlockRuleset] }
        $ruleset.Abi | Should -Be V3
        $ruleset.NetRules | Should -BeNullOrEmpty
        ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain 'ConnectTcp on port 8080 is not restricted by ABI V3: no rule is needed.'
    }

    It 'warns about a place the trial used that is gone, and proposes no rule for it' {
        $gone = Join-Path $TestDrive 'gone.txt'
        $ruleset = New-AccessEvent -Path $gone -Access ReadFile | ConvertTo-LandlockRuleset -WarningVariable warned -WarningAction SilentlyContinue
        $ruleset.PathRules | Should -BeNullOrEmpty
        "$warned" | Should -Match ([regex]::Escape($gone))
        "$warned" | Should -Match 'trace it again'
    }

    It 'warns when no event came in, and proposes a ruleset that allows nothing' {
        $ruleset = @() | ConvertTo-LandlockRuleset -WarningVariable warned -WarningAction SilentlyContinue
        $ruleset.PathRules | Should -BeNullOrEmpty
        "$warned" | Should -Match 'No access events'
    }

    It 'completes -Granularity' {
        $line = 'ConvertTo-LandlockRuleset -Granularity '
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('Directory', 'File', 'Tree')
    }
}

# A real program nobody wrote for this project: traced once, then run confined by the proposal. The
# proposal must let it succeed, fully enforced (at the kernel's ABI), and must deny a secret next to
# its data and any write outside its work.
Describe 'ConvertTo-LandlockRuleset from a real trial' {
    BeforeAll {
        $script:CanTrace = [bool](Get-Command Trace-LandlockAccess -ErrorAction Ignore)
        $script:NoTrace = 'Trace-LandlockAccess is not in this build (it comes with the observer)'

        # A fresh work folder, a secret beside it and a place outside it no one may write.
        function New-Trial([string] $Name) {
            $root = (New-Item -ItemType Directory (Join-Path $TestDrive "$Name-$([guid]::NewGuid())")).FullName
            Set-Content "$root/secret.txt" 'the secret'
            $null = New-Item -ItemType Directory "$root/work"
            @{ Root = $root; Work = "$root/work"; Secret = "$root/secret.txt"; Outside = "$root/outside.txt" }
        }

        # What every proposal of a program must deny, each next to its allowed twin ($Readable: a file the trial read).
        function Assert-Denies($Ruleset, $Trial, [string] $Readable) {
            ($Ruleset | Invoke-Sandboxed head -PassThru -- -c 1 $Readable).ExitCode | Should -Be 0 -Because 'what the trial read stays readable'
            ($Ruleset | Invoke-Sandboxed cat $Trial.Secret -PassThru 2>$null).ExitCode | Should -Not -Be 0 -Because 'the secret beside the work was never touched'
            ($Ruleset | Invoke-Sandboxed /bin/sh -PassThru -- -c "echo x > '$($Trial.Outside)'" 2>$null).ExitCode | Should -Not -Be 0
            Test-Path $Trial.Outside | Should -BeFalse -Because 'no write outside the work'
            Assert-WritesWithin $Ruleset $Trial
        }

        # Every write the proposal grants is within the work (writing /dev/null changes nothing).
        function Assert-WritesWithin($Ruleset, $Trial) {
            $writes = [LandlockPS.Core.Landlock.LandlockAccessFs]'WriteFile, Truncate, MakeReg, MakeDir, MakeSym, RemoveFile, RemoveDir, Refer'
            foreach ($rule in $Ruleset.PathRules | Where-Object { ($_.Access -band $writes) -and $_.Path -notlike '/dev/*' }) {
                $rule.Path | Should -BeLike "$($Trial.Work)*" -Because 'every write the proposal grants is within the work'
            }
        }

        function Skip-Unless([string[]] $Tool) {
            if (-not $CanTrace) { Set-ItResult -Skipped -Because $NoTrace; return $true }
            foreach ($t in $Tool) {
                if (-not (Get-Command $t -CommandType Application -ErrorAction Ignore)) { Set-ItResult -Skipped -Because "$t is not installed"; return $true }
            }
            $false
        }
    }

    It 'a Python script that reads a data folder and writes an output folder' {
        if (Skip-Unless python3) { return }
        $t = New-Trial python
        $null = New-Item -ItemType Directory "$($t.Work)/data", "$($t.Work)/out"
        Set-Content "$($t.Work)/data/a.txt" 'one'
        Set-Content "$($t.Work)/data/b.txt" 'two'
        Set-Content "$($t.Work)/summary.py" @'
import os, sys
data, out = sys.argv[1], sys.argv[2]
lines = [open(os.path.join(data, n)).read().strip() for n in sorted(os.listdir(data))]
with open(os.path.join(out, 'summary.txt'), 'w') as f:
    f.write(','.join(lines) + '\n')
'@
        $events = Trace-LandlockAccess -FilePath python3 -ArgumentList summary.py, data, out -WorkingDirectory $t.Work
        $ruleset = $events | ConvertTo-LandlockRuleset -Abi $Abi
        Remove-Item "$($t.Work)/out/summary.txt"

        $result = $ruleset | Invoke-Sandboxed -FilePath python3 -ArgumentList summary.py, data, out -WorkingDirectory $t.Work -PassThru
        $result.ExitCode | Should -Be 0
        $result.Status | Should -Be FullyEnforced
        Get-Content "$($t.Work)/out/summary.txt" | Should -Be 'one,two'
        Assert-Denies $ruleset $t "$($t.Work)/data/a.txt"
    }

    It 'curl fetching from a local HTTP server' {
        if (Skip-Unless curl, python3) { return }
        $t = New-Trial curl
        $null = New-Item -ItemType Directory "$($t.Work)/site", "$($t.Work)/out"
        Set-Content "$($t.Work)/site/index.html" 'hello from the server'
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $server = Start-Process python3 -ArgumentList '-m', 'http.server', $port, '--bind', '127.0.0.1', '--directory', "$($t.Work)/site" -PassThru -RedirectStandardError "$($t.Root)/server.log"
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not (Test-Connection 127.0.0.1 -TcpPort $port -Quiet -TimeoutSeconds 1) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $url = "http://127.0.0.1:$port/index.html"
            $events = Trace-LandlockAccess -FilePath curl -ArgumentList '-sS', '-o', 'out/page.html', $url -WorkingDirectory $t.Work
            $ruleset = $events | ConvertTo-LandlockRuleset -Abi $Abi
            $ruleset.NetRules.Port | Should -Be $port

            $result = $ruleset | Invoke-Sandboxed -FilePath curl -ArgumentList '-sS', '-o', 'out/page.html', $url -WorkingDirectory $t.Work -PassThru
            $result.ExitCode | Should -Be 0
            $result.Status | Should -Be FullyEnforced
            Get-Content "$($t.Work)/out/page.html" | Should -Be 'hello from the server'
            ($ruleset | Invoke-Sandboxed -FilePath curl -ArgumentList '-sS', '-o', $t.Outside, $url -PassThru 2>$null).ExitCode | Should -Not -Be 0
            # curl wrote the page and read nothing of the work's; it read its own program.
            Assert-Denies $ruleset $t /usr/bin/curl
        }
        finally {
            Stop-Process -Id $server.Id -ErrorAction Ignore
            $server.WaitForExit()
        }
    }

    It 'gcc building a small C program' {
        if (Skip-Unless gcc) { return }
        $t = New-Trial gcc
        $null = New-Item -ItemType Directory "$($t.Work)/src", "$($t.Work)/build", "$($t.Work)/tmp"
        Set-Content "$($t.Work)/src/hello.c" "#include <stdio.h>`nint main(void) { puts(`"built confined`"); return 0; }"
        $environment = @{ TMPDIR = "$($t.Work)/tmp" }
        $events = Trace-LandlockAccess -FilePath gcc -ArgumentList '-o', 'build/hello', 'src/hello.c' -WorkingDirectory $t.Work -Environment $environment
        $ruleset = $events | ConvertTo-LandlockRuleset -Abi $Abi

        $result = $ruleset | Invoke-Sandboxed -FilePath gcc -ArgumentList '-o', 'build/hello', 'src/hello.c' -WorkingDirectory $t.Work -Environment $environment -PassThru
        $result.ExitCode | Should -Be 0
        $result.Status | Should -Be FullyEnforced
        & "$($t.Work)/build/hello" | Should -Be 'built confined'
        Assert-Denies $ruleset $t "$($t.Work)/src/hello.c"
    }

    It 'git status in a repository' {
        if (Skip-Unless git) { return }
        $t = New-Trial git
        $repo = "$($t.Work)/repo"
        $git = @('-c', 'user.name=t', '-c', 'user.email=t@example.org')
        $null = & git init -q $repo
        Set-Content "$repo/tracked.txt" 'first'
        & git -C $repo @git add tracked.txt
        & git -C $repo @git commit -qm first
        Set-Content "$repo/tracked.txt" 'changed'
        Set-Content "$repo/new.txt" 'new'
        $expected = & git -C $repo status --porcelain

        $events = Trace-LandlockAccess -FilePath git -ArgumentList 'status', '--porcelain' -WorkingDirectory $repo
        $ruleset = $events | ConvertTo-LandlockRuleset -Abi $Abi -WarningVariable flagged -WarningAction SilentlyContinue

        $output = $ruleset | Invoke-Sandboxed -FilePath git -ArgumentList 'status', '--porcelain' -WorkingDirectory $repo
        $LASTEXITCODE | Should -Be 0
        $output | Should -Be $expected
        Assert-Denies $ruleset $t "$repo/.git/HEAD"
        # git status refreshes the index through .git/index.lock: that write is flagged, not granted,
        # as it would let the sandbox write the hooks your next git command runs.
        $ruleset.ProposedRules | Where-Object { $_.Flag -eq 'RepositoryWrite' -and $_.Path -eq "$repo/.git" } | Should -Not -BeNullOrEmpty
        "$flagged" | Should -Match 'RepositoryWrite|hooks'
        $hook = "$repo/.git/hooks/pre-commit"
        ($ruleset | Invoke-Sandboxed /bin/sh -PassThru -- -c "echo 'echo owned' > '$hook'" 2>$null).ExitCode | Should -Not -Be 0
        Test-Path $hook | Should -BeFalse -Because 'the sandbox may not write what git runs next'
        $granted = $events | ConvertTo-LandlockRuleset -Abi $Abi -IncludeFlagged -WarningAction SilentlyContinue
        ($granted | Invoke-Sandboxed /bin/sh -PassThru -- -c "echo 'echo owned' > '$hook'").ExitCode | Should -Be 0 -Because 'the allowed twin: granted, the same write works'
        Remove-Item $hook
    }

    It 'a pwsh script block that imports a module' {
        if (Skip-Unless @()) { return }
        $t = New-Trial pwsh
        $module = "$($t.Work)/Greeting"
        $null = New-Item -ItemType Directory $module
        Set-Content "$module/Greeting.psm1" 'function Get-Greeting { "hello from $PSScriptRoot" }'
        New-ModuleManifest "$module/Greeting.psd1" -RootModule Greeting.psm1 -FunctionsToExport Get-Greeting
        $block = { param($Path) Import-Module $Path; Get-Greeting }

        $events = Trace-LandlockAccess -ScriptBlock $block -ArgumentList $module
        $ruleset = $events | ConvertTo-LandlockRuleset -Abi $Abi -WarningAction SilentlyContinue
        $ruleset.PathRules.Path | Where-Object { $_ -like '*landlockps-home-*' } | Should -BeNullOrEmpty
        # pwsh lists each folder above a path it resolves: a rule listing / would list the whole file system.
        $ruleset.PathRules | Where-Object Path -EQ / | Should -BeNullOrEmpty
        $ruleset.ProposedRules | Where-Object { $_.Path -eq '/' -and $_.Flag -eq 'WideListing' } | Should -Not -BeNullOrEmpty
        { Invoke-Sandboxed -Ruleset $ruleset -ScriptBlock { Get-ChildItem / } -ErrorAction Stop } | Should -Throw -ExpectedMessage "*denied*"

        Invoke-Sandboxed -Ruleset $ruleset -ScriptBlock $block -ArgumentList $module | Should -Be "hello from $module"
        { Invoke-Sandboxed -Ruleset $ruleset -ScriptBlock { param($p) Get-Content $p } -ArgumentList $t.Secret -ErrorAction Stop } | Should -Throw
        { Invoke-Sandboxed -Ruleset $ruleset -ScriptBlock { param($p) Set-Content $p x } -ArgumentList $t.Outside -ErrorAction Stop } | Should -Throw
        Test-Path $t.Outside | Should -BeFalse
        Assert-WritesWithin $ruleset $t
    }
}
