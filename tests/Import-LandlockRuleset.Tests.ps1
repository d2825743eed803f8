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
        ) {
            $rs = Import-LandlockRuleset -LiteralPath (Join-Path $Fixtures $File) -BasePath $TestDrive
            $rs.Name | Should -Be ([IO.Path]::GetFileNameWithoutExtension($File))
            $rs.Abi | Should -Be $Abi
            "$($rs.HandledAccessNet)" | Should -Be $Net
            $rs.PathRules.Count | Should -Be $Rules
            $rs.NetRules.Count | Should -Be $Ports
        }

        It 'imports every file a wildcard matches, and Get-ChildItem output by path' {
            $files = Get-ChildItem $Fixtures -Filter 'mini-*'
            (Import-LandlockRuleset (Join-Path $Fixtures 'mini-*') -BasePath $TestDrive).Name | Should -Be $files.BaseName
            ($files | Import-LandlockRuleset -BasePath $TestDrive).Count | Should -Be $files.Count
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
        ) {
            if (-not $Outside) { Set-ItResult -Skipped -Because 'no folder outside /tmp is writable here' }
            $rs = Import-LandlockRuleset (Join-Path $Fixtures $File) -BasePath $TestDrive -WarningAction SilentlyContinue
            $inTmp = $rs | Invoke-Sandboxed -FilePath /bin/sh -ArgumentList '-c', "echo allowed > /tmp/$Marker-$File" -StandardError Output -PassThru
            $elsewhere = $rs | Invoke-Sandboxed -FilePath /bin/sh -ArgumentList '-c', "echo denied > '$Outside/$Marker-$File'" -StandardError Output -PassThru

            $inTmp[-1].ExitCode | Should -Be 0
            Get-Content "/tmp/$Marker-$File" | Should -Be 'allowed'
            $elsewhere[-1].ExitCode | Should -Not -Be 0
            "$($elsewhere[0..($elsewhere.Count - 2)])" | Should -Match 'Permission denied'
            Test-Path "$Outside/$Marker-$File" | Should -BeFalse
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

        It 'reports a missing file and goes on with the next one' {
            $good = Join-Path $Fixtures 'mini-scoped.json'
            $out = Import-LandlockRuleset -LiteralPath (Join-Path $TestDrive 'missing.json'), $good -ErrorVariable ev -ErrorAction SilentlyContinue
            $out.Name | Should -Be 'mini-scoped'
            $ev[0].FullyQualifiedErrorId | Should -Be "PolicyFileNotFound,$script:Id"
            "$($ev[0].CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
        }

        It 'reports a file the session may not read as PolicyFileUnreadable (read from a sandbox that denies it)' {
            $policy = Join-Path $TestDrive 'hidden.json'
            Copy-Item (Join-Path $Fixtures 'mini-scoped.json') $policy
            $rs = New-LandlockRuleset -Abi V5
            $out = $rs | Invoke-Sandboxed { Import-LandlockRuleset -LiteralPath $using:policy } -ErrorVariable records -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $records.Count | Should -Be 1
            $records[0].FullyQualifiedErrorId | Should -Be "PolicyFileUnreadable,$script:Id"
            $records[0].Exception.Message | Should -Match 'EACCES'
            # The allowed twin: the same import with the folder readable.
            $open = $rs.Clone() | Add-LandlockPathRule -Path $TestDrive -Access ReadOnly -PassThru
            ($open | Invoke-Sandboxed { (Import-LandlockRuleset -LiteralPath $using:policy).Name }) | Should -Be 'hidden'
        }

        It 'refuses a directory and a FIFO without blocking' {
            $fifo = Join-Path $TestDrive 'fifo.toml'
            & mkfifo $fifo
            Import-LandlockRuleset -LiteralPath $TestDrive, $fifo -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev.FullyQualifiedErrorId | Should -Be "PolicyFileNotRegular,$script:Id", "PolicyFileNotRegular,$script:Id"
        }

        It 'stops with BasePathNotFound before reading anything when -BasePath is not a directory' {
            { Import-LandlockRuleset (Join-Path $Fixtures 'mini-scoped.json') -BasePath (Join-Path $TestDrive 'nope') } |
                Should -Throw -ErrorId "BasePathNotFound,$script:Id"
        }
    }
}
