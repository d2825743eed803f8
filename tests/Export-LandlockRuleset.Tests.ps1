BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Id = 'LandlockPS.Commands.ExportLandlockRulesetCommand'
}

Describe 'Export-LandlockRuleset' {
    BeforeAll {
        $script:Ruleset = New-LandlockRuleset -Name sample -Abi V6 |
            Add-LandlockPathRule -Path /usr, /etc -Access ReadExecute -PassThru |
            Add-LandlockPathRule -Path /etc/hostname -Access ReadFile -PassThru |
            Add-LandlockNetRule -Port 443, 8443 -Access ConnectTcp -PassThru
    }

    It 'round-trips through <Format> (Export, Import, Export gives the same text)' -ForEach @(
        @{ Format = 'Json'; File = 'round.json' }
        @{ Format = 'Toml'; File = 'round.toml' }
    ) {
        $path = Join-Path $TestDrive $File
        $Ruleset | Export-LandlockRuleset $path
        $again = Import-LandlockRuleset $path
        Assert-SameRuleset $Ruleset $again
        $again | Export-LandlockRuleset (Join-Path $TestDrive "second-$File")
        Get-Content -Raw (Join-Path $TestDrive "second-$File") | Should -Be (Get-Content -Raw $path)
    }

    It 'writes TOML with snake_case keys and JSON with camelCase keys' {
        $Ruleset | Export-LandlockRuleset (Join-Path $TestDrive 'k.toml')
        $Ruleset | Export-LandlockRuleset (Join-Path $TestDrive 'k.json')
        Get-Content -Raw (Join-Path $TestDrive 'k.toml') | Should -Match '(?m)^\[\[path_beneath\]\]'
        (Get-Content -Raw (Join-Path $TestDrive 'k.json') | ConvertFrom-Json).pathBeneath | Should -Not -BeNullOrEmpty
    }

    It 'names the rights of a rule by the abi.* group they make, never by a versioned group, and reads back the same' -ForEach @(
        @{ Format = 'Toml'; File = 'groups.toml' }
        @{ Format = 'Json'; File = 'groups.json' }
    ) {
        $rs = New-LandlockRuleset -Abi V5 |
            Add-LandlockPathRule -Path /usr -Access Execute, ReadFile, ReadDir, Refer -PassThru |
            Add-LandlockPathRule -Path /tmp -Access ReadWrite -PassThru
        $path = Join-Path $TestDrive $File
        $rs | Export-LandlockRuleset $path
        $text = Get-Content -Raw $path
        $text | Should -Match '"abi\.read_execute"'
        $text | Should -Match '"abi\.read_write"'
        $text | Should -Match '"abi\.all"'
        $text | Should -Not -Match '"v\d+\.'
        Assert-SameRuleset $rs (Import-LandlockRuleset $path)
    }

    It 'comments in TOML the rights landlockconfig cannot name yet, and names them in JSON too' {
        $rs = New-LandlockRuleset -Abi V10 | Add-LandlockPathRule -Path /tmp -Access ReadWrite -PassThru
        $rs | Export-LandlockRuleset (Join-Path $TestDrive 'new.toml') -WarningVariable warnings -WarningAction SilentlyContinue
        $rs | Export-LandlockRuleset (Join-Path $TestDrive 'new.json') -WarningAction SilentlyContinue
        $toml = Get-Content -Raw (Join-Path $TestDrive 'new.toml')
        $toml | Should -Match '(?m)^# resolve_unix: newer than landlockconfig''s schema'
        $toml | Should -Match 'allowed_access = \["abi\.read_write", "resolve_unix"\]'
        (Get-Content -Raw (Join-Path $TestDrive 'new.json') | ConvertFrom-Json).pathBeneath[0].allowedAccess | Should -Be 'abi.read_write', 'resolve_unix'
        "$warnings" | Should -Match 'resolve_unix'
        Assert-SameRuleset $rs (Import-LandlockRuleset (Join-Path $TestDrive 'new.toml'))
    }

    It 'refuses a ruleset that handles nothing with EmptyRuleset and writes nothing' {
        $policy = Join-Path $TestDrive 'vars.toml'
        "[[variable]]`nname = `"x`"`nliteral = [`"/usr`"]" | Set-Content $policy
        $empty = Import-LandlockRuleset $policy -WarningAction SilentlyContinue
        $empty | Export-LandlockRuleset (Join-Path $TestDrive 'empty.toml') -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "EmptyRuleset,$script:Id"
        Test-Path (Join-Path $TestDrive 'empty.toml') | Should -BeFalse
    }

    It 'honours -Format over the extension' {
        $path = Join-Path $TestDrive 'policy.conf'
        $Ruleset | Export-LandlockRuleset $path -Format Toml
        Get-Content -Raw $path | Should -Match '(?m)^abi = 6$'
        Assert-SameRuleset $Ruleset (Import-LandlockRuleset $path)
    }

    It 'accepts a deserialized ruleset' {
        $Ruleset | Export-Clixml (Join-Path $TestDrive 'rs.xml')
        Import-Clixml (Join-Path $TestDrive 'rs.xml') | Export-LandlockRuleset (Join-Path $TestDrive 'from-xml.json')
        Assert-SameRuleset $Ruleset (Import-LandlockRuleset (Join-Path $TestDrive 'from-xml.json'))
    }

    It 'returns the file with -PassThru and leaves no temporary file behind' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'clean')
        $file = $Ruleset | Export-LandlockRuleset (Join-Path $dir 'p.json') -PassThru
        $file | Should -BeOfType System.IO.FileInfo
        $file.Name | Should -Be 'p.json'
        (Get-ChildItem -Force $dir).Name | Should -Be 'p.json'
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.json'
        $Ruleset | Export-LandlockRuleset $path -WhatIf
        Test-Path $path | Should -BeFalse
    }

    It 'refuses to replace a file with -NoClobber, and replaces it without' {
        $path = Join-Path $TestDrive 'existing.json'
        'old' | Set-Content $path
        $Ruleset | Export-LandlockRuleset $path -NoClobber -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "PolicyFileExists,$script:Id"
        "$($ev[0].CategoryInfo.Category)" | Should -Be 'ResourceExists'
        Get-Content $path | Should -Be 'old'
        $Ruleset | Export-LandlockRuleset $path
        Get-Content -Raw $path | Should -Match '"abi": 6'
    }

    It 'refuses a second ruleset for the same file in one pipeline' {
        $path = Join-Path $TestDrive 'twice.json'
        $Ruleset, (New-LandlockRuleset -Abi V4) | Export-LandlockRuleset $path -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "PolicyFileReused,$script:Id"
        (Import-LandlockRuleset $path).Abi | Should -Be 'V6'
    }

    It 'reports a folder that does not exist as PolicyFileNotWritten' {
        $Ruleset | Export-LandlockRuleset (Join-Path $TestDrive 'no/such/dir/p.json') -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "PolicyFileNotWritten,$script:Id"
    }

    It 'reports a folder given as the file as PolicyFileNotWritten, naming a file to give instead, and leaves nothing behind' {
        $parent = New-Item -ItemType Directory (Join-Path $TestDrive ([guid]::NewGuid()))
        $folder = New-Item -ItemType Directory (Join-Path $parent policies)
        $Ruleset | Export-LandlockRuleset $folder.FullName -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "PolicyFileNotWritten,$script:Id"
        $ev[0].Exception.Message | Should -BeLike "*'$($folder.FullName)' is a folder*$($folder.FullName)/policy.toml*"
        Get-ChildItem -Force $parent | ForEach-Object Name | Should -Be policies
        Get-ChildItem -Force $folder | Should -BeNullOrEmpty
    }

    It 'warns about what the format cannot carry' {
        $strict = New-LandlockRuleset -Abi V4 -CompatibilityLevel HardRequirement
        $strict | Export-LandlockRuleset (Join-Path $TestDrive 'strict.json') -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -Match 'HardRequirement'
    }

    It 'warns once per session about rights beyond the schema, naming the fix' {
        $folder = (Get-Item $TestDrive).FullName
        $session = Invoke-InNewSession ([scriptblock]::Create(
            "1..3 | ForEach-Object { New-LandlockRuleset -Abi V10 | Export-LandlockRuleset (Join-Path '$folder' `"new-`$_.toml`") }; " +
            "New-LandlockRuleset -Abi V8 | Export-LandlockRuleset (Join-Path '$folder' v8.toml)"))
        $session.Warnings | Should -HaveCount 1
        $session.Warnings[0] | Should -Match 'resolve_unix, bind_udp, connect_send_udp are newer .* made for ABI V8 or older\.$'
        Join-Path $folder new-3.toml | Should -Exist
    }

    It 'keeps a replaced file''s permissions, and replaces a link of the caller''s own instead of writing through it' {
        $private = Join-Path $TestDrive 'private.json'
        'old' | Set-Content $private
        [IO.File]::SetUnixFileMode($private, [IO.UnixFileMode]'UserRead, UserWrite')
        $Ruleset | Export-LandlockRuleset $private
        [IO.File]::GetUnixFileMode($private) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        (Import-LandlockRuleset $private).Abi | Should -Be 'V6'

        'old' | Set-Content $private
        $link = Join-Path $TestDrive 'link.json'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $private
        $Ruleset | Export-LandlockRuleset $link
        Get-Content $private | Should -Be 'old'
        (Get-Item $link).LinkTarget | Should -BeNullOrEmpty
        (Import-LandlockRuleset $link).Abi | Should -Be 'V6'
    }

    It 'replaces a link someone else planted instead of writing through it, and copies no setuid bit' {
        $victim = Join-Path $TestDrive 'victim.conf'
        'precious' | Set-Content $victim
        $planted = Join-Path $TestDrive 'planted.json'
        $null = New-Item -ItemType SymbolicLink -Path $planted -Target $victim
        & chown -h nobody $planted
        $Ruleset | Export-LandlockRuleset $planted
        Get-Content $victim | Should -Be 'precious'
        (Get-Item $planted).LinkTarget | Should -BeNullOrEmpty
        (Import-LandlockRuleset $planted).Abi | Should -Be 'V6'

        $setuid = Join-Path $TestDrive 'setuid.json'
        'old' | Set-Content $setuid
        & chmod 4755 $setuid
        $Ruleset | Export-LandlockRuleset $setuid
        [IO.File]::GetUnixFileMode($setuid) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
    }
}


# A sandbox runs as the same user as its caller (often root): a link it plants is "the caller's own".
Describe 'Export-LandlockRuleset into a folder a sandbox may write' {
    It 'replaces a link the sandbox planted there, never writing where it points' {
        $ruleset = New-LandlockRuleset -Abi V6
        $folder = (New-Item -ItemType Directory (Join-Path $TestDrive 'shared')).FullName
        $victim = Join-Path $TestDrive 'victim.conf'
        'precious' | Set-Content $victim
        $sandbox = New-LandlockRuleset -Abi ([Math]::Min(7, [int](Get-LandlockAbi).EffectiveAbi)) | Add-LandlockPathRule -Path $folder -Access ReadWrite -PassThru
        $outcome = Invoke-Sandboxed -Ruleset $sandbox -ArgumentList $folder, $victim {
            param($folder, $victim)
            [IO.File]::CreateSymbolicLink("$folder/policy.json", $victim) | Out-Null
            try { Set-Content $victim 'by the sandbox' -ErrorAction Stop; 'wrote' } catch { 'denied' }
        }
        $outcome | Should -Be 'denied' -Because 'the victim lies outside the sandbox''s rules'
        (Get-Item "$folder/policy.json").LinkTarget | Should -Be $victim

        $ruleset | Export-LandlockRuleset "$folder/policy.json"

        Get-Content $victim | Should -Be 'precious'
        (Get-Item "$folder/policy.json").LinkTarget | Should -BeNullOrEmpty
        (Import-LandlockRuleset "$folder/policy.json").Abi | Should -Be 'V6'
    }
}
