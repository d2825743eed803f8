BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Id = 'LandlockPS.Commands.ImportLandlockRulesetCommand'
    $script:Fixtures = Join-Path $PSScriptRoot 'fixtures/landlockconfig'
}

Describe 'Import-LandlockRuleset' {
    Context 'the landlockconfig fixtures' {
        It 'reads <File> into a ruleset named after the file' -ForEach @(
            @{ File = 'mini-write-tmp.json'; Abi = 'V5'; Net = 'BindTcp'; Rules = 8; Ports = 2 }
            @{ File = 'mini-write-tmp.toml'; Abi = 'V5'; Net = 'BindTcp'; Rules = 8; Ports = 2 }
            @{ File = 'mini-scoped.json'; Abi = 'V6'; Net = 'BindTcp, ConnectTcp'; Rules = 0; Ports = 0 }
            @{ File = 'verbose-write-tmp.json'; Abi = 'V5'; Net = 'None'; Rules = 8; Ports = 0 }
            @{ File = 'micro-var.toml'; Abi = 'V5'; Net = 'None'; Rules = 11; Ports = 0 }
            @{ File = 'micro-write-tmp.toml'; Abi = 'V5'; Net = 'None'; Rules = 8; Ports = 0 }
            @{ File = 'legacy-micro-var-v5-groups.toml'; Abi = 'V5'; Net = 'None'; Rules = 11; Ports = 0 }
            # Those of the composition's absolute paths that exist here (/home/user/... rarely does).
            @{ File = 'composition/s.toml'; Abi = 'V4'; Net = 'None'; Rules = @(Get-Item /bin, /lib, /usr, /dev, /proc, /etc, /home/user/bin, /tmp, /var/tmp, /home/user/tmp -ErrorAction Ignore).Count; Ports = 0 }
            @{ File = 'composition/s.json'; Abi = 'V4'; Net = 'None'; Rules = @(Get-Item /bin, /lib, /usr, /dev, /proc, /etc, /home/user/bin, /tmp, /var/tmp, /home/user/tmp -ErrorAction Ignore).Count; Ports = 0 }
            @{ File = 'composition/source/s1.json'; Abi = 'V5'; Net = 'None'; Rules = @(Get-Item /bin, /lib, /usr, /dev, /proc, /etc, /tmp, /var/tmp -ErrorAction Ignore).Count; Ports = 0 }
            @{ File = 'composition/source/s2.toml'; Abi = 'V4'; Net = 'None'; Rules = @(Get-Item /home/user/bin -ErrorAction Ignore).Count; Ports = 0 }
        ) {
            $rs = Import-LandlockRuleset -LiteralPath (Join-Path $Fixtures $File) -BasePath $TestDrive -WarningAction SilentlyContinue
            $rs.Name | Should -Be ([IO.Path]::GetFileNameWithoutExtension($File))
            $rs.Abi | Should -Be $Abi
            "$($rs.HandledAccessNet)" | Should -Be $Net
            $rs.PathRules.Count | Should -Be $Rules
            $rs.NetRules.Count | Should -Be $Ports
        }

        It 'composes every file a wildcard matches, and imports Get-ChildItem output one by one' {
            $files = Get-ChildItem $Fixtures -Filter 'mini-*'
            (Import-LandlockRuleset (Join-Path $Fixtures 'mini-*') -BasePath $TestDrive -WarningAction SilentlyContinue).Name | Should -Be ($files.BaseName -join '+')
            ($files | Import-LandlockRuleset -BasePath $TestDrive).Name | Should -Be $files.BaseName
        }

        It 'resolves "." against the PowerShell location by default, against -BasePath when given' {
            Push-Location $TestDrive
            try {
                (Import-LandlockRuleset (Join-Path $Fixtures 'micro-var.toml')).PathRules.Path | Should -Contain (Get-Item $TestDrive).FullName
            }
            finally { Pop-Location }
            (Import-LandlockRuleset (Join-Path $Fixtures 'micro-var.toml') -BasePath /usr/share).PathRules.Path | Should -Contain '/usr/share'
        }

        It 'lists each rule with -Verbose and warns about paths missing on this machine' {
            $policy = Join-Path $TestDrive 'gone.json'
            '{"pathBeneath":[{"allowedAccess":["read_dir"],"parent":["/usr","/no/such/dir"]}]}' | Set-Content $policy
            $verbose = Import-LandlockRuleset $policy -Verbose -WarningVariable warnings -WarningAction SilentlyContinue 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            "$verbose" | Should -Match 'Allowing \w+ on /usr\.'
            "$verbose" | Should -Match 'made for ABI V1, the oldest with every right the policy handles \(it pins no abi\)'
            "$warnings" | Should -Match '/no/such/dir.*does not exist'
        }
    }

    Context 'confinement by an imported policy (real kernel)' {
        It 'runs a program confined by <File>, and the kernel enforces it fully' -ForEach @(
            @{ File = 'mini-write-tmp.json' }
            @{ File = 'mini-write-tmp.toml' }
            @{ File = 'mini-scoped.json' }
            @{ File = 'verbose-write-tmp.json' }
            @{ File = 'micro-var.toml' }
            @{ File = 'micro-write-tmp.toml' }
            @{ File = 'legacy-micro-var-v5-groups.toml' }
            @{ File = 'composition/s.toml' }
            @{ File = 'composition/source' }
        ) {
            $rs = Import-LandlockRuleset (Join-Path $Fixtures $File) -BasePath $TestDrive -WarningAction SilentlyContinue
            $out = $rs | Invoke-Sandboxed -FilePath /bin/sh -ArgumentList '-c', 'echo confined' -PassThru
            $out[0] | Should -Be 'confined'
            $out[-1].ExitCode | Should -Be 0
            $out[-1].Status | Should -Be 'FullyEnforced'
        }

        BeforeAll {
            $script:Marker = "llps-import-$PID-$([guid]::NewGuid().ToString('N'))"
            # Somewhere writable that the policy does not cover: not under /tmp, wherever HOME and TMPDIR are.
            $script:Outside = New-FolderOutside /tmp
        }
        AfterAll {
            Remove-Item "/tmp/$Marker-*" -ErrorAction Ignore
            if ($Outside) { Remove-Item $Outside -Recurse -Force -ErrorAction Ignore }
        }

        It 'lets a child confined by <File> write in /tmp, and not outside it' -ForEach @(
            @{ File = 'mini-write-tmp.toml' }
            @{ File = 'mini-write-tmp.json' }
            @{ File = 'composition/source/s1.toml, s2.toml composed' }
        ) {
            if (-not $Outside) { Set-ItResult -Skipped -Because 'no folder outside /tmp is writable here' }
            $source = Join-Path $Fixtures composition/source
            $rs = if ($File -like '*composed') {
                Import-LandlockRuleset (Join-Path $source s1.toml), (Join-Path $source s2.toml) -Compose -BasePath $TestDrive -WarningAction SilentlyContinue
            }
            else { Import-LandlockRuleset (Join-Path $Fixtures $File) -BasePath $TestDrive -WarningAction SilentlyContinue }
            $File = $File -replace '\W', '-'
            $inTmp = $rs | Invoke-Sandboxed -FilePath /bin/sh -ArgumentList '-c', "echo allowed > /tmp/$Marker-$File" -StandardError Output -PassThru
            $elsewhere = $rs | Invoke-Sandboxed -FilePath /bin/sh -ArgumentList '-c', "echo denied > '$Outside/$Marker-$File'" -StandardError Output -PassThru

            $inTmp[-1].ExitCode | Should -Be 0
            Get-Content "/tmp/$Marker-$File" | Should -Be 'allowed'
            $elsewhere[-1].ExitCode | Should -Not -Be 0
            "$($elsewhere[0..($elsewhere.Count - 2)])" | Should -Match 'Permission denied'
            Test-Path "$Outside/$Marker-$File" | Should -BeFalse
        }
    }

    Context 'composition, directories and standard input' {
        BeforeAll {
            $script:Source = Join-Path $Fixtures composition/source
        }

        It 'composes files named together into what upstream wrote out (composition/s.toml)' {
            $expected = Import-LandlockRuleset (Join-Path $Fixtures composition/s.toml) -WarningAction SilentlyContinue
            $composed = Import-LandlockRuleset (Join-Path $Source s1.toml), (Join-Path $Source s2.toml) -WarningVariable warnings -WarningAction SilentlyContinue
            @($composed).Count | Should -Be 1
            $composed.Name | Should -Be 's1+s2'
            Assert-SameRuleset $expected $composed
            "$warnings" | Should -Match 's2\.toml does not handle IoctlDev'
        }

        It 'gives one ruleset per path piped in one by one, as before, and one for all of them with -Compose' {
            $files = Get-ChildItem $Source -Filter 's*.toml'
            ($files | Import-LandlockRuleset -WarningAction SilentlyContinue).Name | Should -Be 's1', 's2'
            ($files.FullName | Import-LandlockRuleset -WarningAction SilentlyContinue).Name | Should -Be 's1', 's2'
            (Import-LandlockRuleset (Join-Path $Source 's*.toml') -WarningAction SilentlyContinue).Name | Should -Be 's1+s2'
            $composed = $files | Import-LandlockRuleset -Compose -WarningAction SilentlyContinue
            $composed.Name | Should -Be 's1+s2'
            Assert-SameRuleset (Import-LandlockRuleset (Join-Path $Fixtures composition/s.json) -WarningAction SilentlyContinue) $composed
        }

        It 'reads a directory as one policy named after it, its files composed in name order' {
            $rs = Import-LandlockRuleset $Source -Verbose -WarningAction SilentlyContinue 4>&1 | Tee-Object -Variable records |
                Where-Object { $_ -is [LandlockPS.Core.Landlock.LandlockRuleset] }
            $rs.Name | Should -Be 'source'
            Assert-SameRuleset (Import-LandlockRuleset (Join-Path $Fixtures composition/s.toml) -WarningAction SilentlyContinue) $rs
            $first = $records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Select-Object -First 1
            "$first" | Should -BeLike "$(Join-Path $Source s1.json) (line *"
        }

        It 'reads the text piped in for "-": whole, line by line, or beside files' {
            $raw = Get-Content -Raw (Join-Path $Fixtures mini-scoped.json)
            $whole = $raw | Import-LandlockRuleset -
            $whole.Name | Should -Be 'stdin'
            $whole.Scope | Should -Be 'AbstractUnixSocket, Signal'
            Assert-SameRuleset (Import-LandlockRuleset (Join-Path $Fixtures mini-scoped.json)) $whole
            Assert-SameRuleset $whole (Get-Content (Join-Path $Fixtures mini-scoped.json) | Import-LandlockRuleset -)
            $toml = Get-Content (Join-Path $Source s2.toml)
            $composed = $toml | Import-LandlockRuleset (Join-Path $Source s1.toml), - -Compose -WarningAction SilentlyContinue
            $composed.Name | Should -Be 's1+stdin'
            Assert-SameRuleset (Import-LandlockRuleset (Join-Path $Fixtures composition/s.toml) -WarningAction SilentlyContinue) $composed
        }

        It 'reads a shell''s standard input passed on as $input, as the help says' {
            $manifest = Join-Path $RepoRoot 'LandlockPS.psd1'
            $command = "Import-Module '$manifest'; (`$input | Import-LandlockRuleset -).Scope.ToString()"
            $scope = Get-Content (Join-Path $Fixtures mini-scoped.json) | & (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -Command $command
            $scope | Should -Be 'AbstractUnixSocket, Signal'
        }

        It 'names the piped text and the line in errors about it' {
            "abi = 5`n[[ruleset]]`nhandled_access_fs = [`"reed_file`"]" | Import-LandlockRuleset - -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev[0].FullyQualifiedErrorId | Should -Be "PolicyUnknownAccess,$script:Id"
            $ev[0].Exception.Message | Should -BeLike '<stdin> (line 3, column *'
        }

        It 'reports PolicyNoInput for "-" with nothing piped in, and PolicyInputUnused for text piped in without "-"' {
            Import-LandlockRuleset - -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev[0].FullyQualifiedErrorId | Should -Be "PolicyNoInput,$script:Id"
            { 'abi = 5' | Import-LandlockRuleset (Join-Path $Fixtures mini-scoped.json) } | Should -Throw -ErrorId "PolicyInputUnused,$script:Id"
            { 'abi = 5' | Import-LandlockRuleset -, - } | Should -Throw -ErrorId "PolicyInputUnused,$script:Id"
        }

        It 'reports PolicyInputUnused, once, for policy text piped in with no path at all, naming "-"' -TestCases @(
            @{ File = 'mini-write-tmp.json'; Raw = $true }
            @{ File = 'mini-write-tmp.json'; Raw = $false }
            @{ File = 'mini-write-tmp.toml'; Raw = $true }
            @{ File = 'mini-write-tmp.toml'; Raw = $false }
        ) {
            # Bound to -Path, each piece of text was looked up as a path: a drive named '{ "abi"', a
            # wildcard pattern that is not valid, one error per line.
            $text = Get-Content (Join-Path $Fixtures $File) -Raw:$Raw
            $err = { $text | Import-LandlockRuleset -ErrorAction Stop } | Should -Throw -ErrorId "PolicyInputUnused,$script:Id" -PassThru
            $err.Exception.Message | Should -BeLike "*Import-LandlockRuleset -*"
            $text | Import-LandlockRuleset - | Should -Not -BeNullOrEmpty
        }

        It 'still reads a piped path that looks like text when it names a file' {
            $odd = New-Item -ItemType Directory (Join-Path $TestDrive ([guid]::NewGuid()))
            Copy-Item (Join-Path $Fixtures mini-scoped.json) (Join-Path $odd '{odd}.json')
            (Join-Path $odd '{odd}.json') | Import-LandlockRuleset | ForEach-Object Name | Should -Be '{odd}'
            Push-Location $odd
            try { '{odd}.json' | Import-LandlockRuleset | ForEach-Object Name | Should -Be '{odd}' } finally { Pop-Location }
        }

        It 'reports each bad file of a composition with its line, and outputs nothing for it' {
            $bad1 = Join-Path $TestDrive 'bad1.toml'
            $bad2 = Join-Path $TestDrive 'bad2.json'
            "[[path_beneath]]`nallowed_access = [`"read_files`"]`nparent = [`"/usr`"]" | Set-Content $bad1
            "{`n`"ruleset`": [ }" | Set-Content $bad2
            $out = Import-LandlockRuleset (Join-Path $Source s1.toml), $bad1, $bad2 -Compose -ErrorVariable ev -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $ev.FullyQualifiedErrorId | Should -Be "PolicyUnknownAccess,$script:Id", "PolicySyntaxError,$script:Id"
            $ev[0].Exception.Message | Should -BeLike "$bad1 (line 2, column *"
            $ev[1].Exception.Message | Should -BeLike "$bad2 (line 2, column *"
        }

        It 'resolves a variable one file uses and another defines, and names the user of one nobody defines' {
            $data = New-Item -ItemType Directory (Join-Path $TestDrive data) -Force
            $rules = Join-Path $TestDrive 'rules.toml'
            $vars = Join-Path $TestDrive 'vars.json'
            "[[path_beneath]]`nallowed_access = [`"read_dir`"]`nparent = [`"`${data}`"]" | Set-Content $rules
            "{`"ruleset`":[{`"handledAccessFs`":[`"read_dir`"]}],`"variable`":[{`"name`":`"data`",`"literal`":[`"$($data.FullName)`"]}]}" | Set-Content $vars
            (Import-LandlockRuleset $rules, $vars -Compose).PathRules.Path | Should -Be $data.FullName
            Import-LandlockRuleset $rules -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev[0].FullyQualifiedErrorId | Should -Be "PolicyUndefinedVariable,$script:Id"
            $ev[0].Exception.Message | Should -BeLike "$rules (line 3, column *"
        }

        It 'leaves out a rule whose group means nothing under the file''s abi, and says so with -Verbose naming file and line' {
            $policy = Join-Path $TestDrive 'old.toml'
            "abi = 2`n[[path_beneath]]`nallowed_access = [`"abi.read_execute`"]`nparent = [`"/usr`"]`n[[net_port]]`nallowed_access = [`"abi.all`"]`nport = [443]" | Set-Content $policy
            $verbose = Import-LandlockRuleset $policy -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $rs = $all | Where-Object { $_ -is [LandlockPS.Core.Landlock.LandlockRuleset] }
            $rs.NetRules | Should -BeNullOrEmpty
            $rs.PathRules.Path | Should -Be '/usr'
            "$verbose" | Should -Match ([regex]::Escape("$policy (line 6, column 1): net_port[0] grants no right"))
        }

        It 'accepts a file of only variables, and Invoke-Sandboxed and Test-LandlockRuleset refuse what handles nothing' {
            $policy = Join-Path $TestDrive 'vars-only.toml'
            "[[variable]]`nname = `"x`"`nliteral = [`"/usr`"]" | Set-Content $policy
            $rs = Import-LandlockRuleset $policy -WarningVariable warnings -WarningAction SilentlyContinue
            $rs.HandlesNothing | Should -BeTrue
            "$warnings" | Should -Match 'restricts nothing'
            $rs | Invoke-Sandboxed /bin/true -AllowUnconfined -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -BeLike 'EmptyRuleset,*'
            "$($ev[0].CategoryInfo.Category)" | Should -Be 'InvalidArgument'
            $rs | Test-LandlockRuleset -ErrorVariable tv -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $tv[0].FullyQualifiedErrorId | Should -BeLike 'EmptyRuleset,*'
        }
    }

    Context 'bad input' {
        It 'reports <Id> (<Category>) for <Case>, with the file and position, and outputs no ruleset' -ForEach @(
            @{ Case = 'malformed JSON'; Name = 'a.json'; Text = "{`n  `"abi`": 5,`n  `"ruleset`": [ }"; Id = 'PolicySyntaxError'; Category = 'ParserError'; Where = 'line 3' }
            @{ Case = 'malformed TOML'; Name = 'a.toml'; Text = "abi = 5`n[[ruleset]]`nhandled_access_fs = [`"execute`" `"read_file`"]"; Id = 'PolicySyntaxError'; Category = 'ParserError'; Where = 'line 3' }
            @{ Case = 'an unknown right'; Name = 'b.toml'; Text = "[[path_beneath]]`nallowed_access = [`"read_files`"]`nparent = [`"/usr`"]"; Id = 'PolicyUnknownAccess'; Category = 'InvalidData'; Where = 'line 2' }
            @{ Case = 'a port out of range'; Name = 'c.json'; Text = '{"netPort":[{"allowedAccess":["bind_tcp"],"port":[65536]}]}'; Id = 'PolicyInvalidPort'; Category = 'InvalidData'; Where = 'line 1, column 51' }
            @{ Case = 'a variable never defined'; Name = 'd.json'; Text = '{"pathBeneath":[{"allowedAccess":["read_dir"],"parent":["${home}"]}]}'; Id = 'PolicyUndefinedVariable'; Category = 'InvalidData'; Where = 'line 1' }
            @{ Case = 'an unknown key'; Name = 'e.json'; Text = '{"rulesets":[]}'; Id = 'PolicyUnknownKey'; Category = 'InvalidData'; Where = 'line 1' }
        ) {
            $policy = Join-Path $TestDrive $Name
            Set-Content -LiteralPath $policy -Value $Text
            $out = Import-LandlockRuleset -LiteralPath $policy -ErrorVariable ev -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be "$Id,$script:Id"
            "$($ev[0].CategoryInfo.Category)" | Should -Be $Category
            $ev[0].Exception.Message | Should -BeLike "$policy ($Where*"
            $ev[0].TargetObject | Should -Be $policy
        }

        It 'reports a missing file, goes on with the next one piped in, and composes nothing without it' {
            $good = Join-Path $Fixtures 'mini-scoped.json'
            $out = (Join-Path $TestDrive 'missing.json'), $good | Import-LandlockRuleset -ErrorVariable ev -ErrorAction SilentlyContinue
            $out.Name | Should -Be 'mini-scoped'
            Import-LandlockRuleset -LiteralPath (Join-Path $TestDrive 'missing.json'), $good -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev[0].FullyQualifiedErrorId | Should -Be "PolicyFileNotFound,$script:Id"
            "$($ev[0].CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
        }

        It 'reports a file or directory the session may not read as PolicyFileUnreadable (read from a sandbox that denies it)' {
            $policy = Join-Path $TestDrive 'hidden.json'
            Copy-Item (Join-Path $Fixtures 'mini-scoped.json') $policy
            $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'hidden-dir')
            Copy-Item (Join-Path $Fixtures 'mini-scoped.json') $dir
            $rs = New-LandlockRuleset -Abi V5
            $both = { Import-LandlockRuleset -LiteralPath $using:policy; Import-LandlockRuleset -LiteralPath $using:dir }
            $out = $rs | Invoke-Sandboxed $both -ErrorVariable records -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $records.FullyQualifiedErrorId | Should -Be "PolicyFileUnreadable,$script:Id", "PolicyFileUnreadable,$script:Id"
            $records[0].Exception.Message | Should -Match 'EACCES'
            $records[1].Exception.Message | Should -BeLike "$dir*cannot be listed*"
            # The allowed twin: the same imports with the folder readable.
            $open = $rs.Clone() | Add-LandlockPathRule -Path $TestDrive -Access ReadOnly -PassThru
            ($open | Invoke-Sandboxed $both).Name | Should -Be 'hidden', 'hidden-dir'
        }

        It 'refuses a FIFO without blocking, and skips one in a directory' {
            $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'with-fifo')
            $fifo = Join-Path $dir 'fifo.toml'
            & mkfifo $fifo
            Import-LandlockRuleset -LiteralPath $fifo -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev.FullyQualifiedErrorId | Should -Be "PolicyFileNotRegular,$script:Id"
            Copy-Item (Join-Path $Fixtures mini-scoped.json) $dir
            (Import-LandlockRuleset -LiteralPath $dir).Scope | Should -Be 'AbstractUnixSocket, Signal'
        }

        It 'reports a directory with no policy file as PolicyFileNotFound' {
            $empty = New-Item -ItemType Directory (Join-Path $TestDrive 'no-policies')
            'text' | Set-Content (Join-Path $empty 'readme.txt')
            Import-LandlockRuleset -LiteralPath $empty -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev.FullyQualifiedErrorId | Should -Be "PolicyFileNotFound,$script:Id"
        }

        It 'stops with BasePathNotFound before reading anything when -BasePath is not a directory' {
            { Import-LandlockRuleset (Join-Path $Fixtures 'mini-scoped.json') -BasePath (Join-Path $TestDrive 'nope') } |
                Should -Throw -ErrorId "BasePathNotFound,$script:Id"
        }
    }
}
