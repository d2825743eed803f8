BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Id = 'LandlockPS.Commands.AddLandlockPathRuleCommand'
}

Describe 'Add-LandlockPathRule' {
    BeforeEach {
        $rs = New-LandlockRuleset
        $work = New-Item -ItemType Directory (Join-Path TestDrive: ([guid]::NewGuid()))
        Push-Location $work
        New-Item -ItemType Directory data, 'data/sub', other | Out-Null
        Set-Content data/file.txt 'x'
        Set-Content -LiteralPath 'data/[odd].txt' -Value 'x'
    }
    AfterEach {
        Pop-Location
    }

    It 'refuses a path with a NUL character as PathInvalid, in every command that takes a path' {
        $rs | Add-LandlockPathRule -LiteralPath "data`0/x" -Access ReadFile -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "PathInvalid,$Id"
        "$($ev[0].CategoryInfo.Category)" | Should -Be 'InvalidArgument'
        $rs.PathRules | Should -BeNullOrEmpty
        $rs | Test-LandlockAccess -LiteralPath "data`0/x" -Access ReadFile -ErrorVariable ev2 -ErrorAction SilentlyContinue
        $ev2[0].FullyQualifiedErrorId | Should -Be 'PathInvalid,LandlockPS.Commands.TestLandlockAccessCommand'
        Import-LandlockRuleset -LiteralPath "data`0.json" -ErrorVariable ev3 -ErrorAction SilentlyContinue
        $ev3[0].FullyQualifiedErrorId | Should -Be 'PathInvalid,LandlockPS.Commands.ImportLandlockRulesetCommand'
        $rs | Export-LandlockRuleset "out`0.json" -ErrorVariable ev4 -ErrorAction SilentlyContinue
        $ev4[0].FullyQualifiedErrorId | Should -Be 'PathInvalid,LandlockPS.Commands.ExportLandlockRulesetCommand'
        { $rs | Invoke-Sandboxed -FilePath /bin/true -WorkingDirectory "data`0" } | Should -Throw -ErrorId 'PathInvalid,LandlockPS.Commands.InvokeSandboxedCommand'
        { $rs | Invoke-Sandboxed -FilePath "/bin/true`0x" } | Should -Throw -ErrorId 'ExecutableNotFound,LandlockPS.Commands.InvokeSandboxedCommand'
    }

    It 'adds a rule and stays quiet without -PassThru' {
        $out = $rs | Add-LandlockPathRule -Path /usr -Access ReadExecute
        $out | Should -BeNullOrEmpty
        $rs.PathRules | Should -HaveCount 1
        $rs.PathRules[0].Path | Should -Be '/usr'
        $rs.PathRules[0].Access | Should -Be 'ReadExecute'
    }

    It 'emits the ruleset with -PassThru so calls chain' {
        $out = $rs | Add-LandlockPathRule /usr ReadExecute -PassThru | Add-LandlockPathRule /etc ReadOnly -PassThru
        $out | Should -Be $rs
        $out.PathRules.Path | Should -Be '/usr', '/etc'
    }

    It 'emits a named ruleset once, with every piped path in it, so the next command runs it once' {
        # Emitted per piped item, a confined run downstream started once per path, each with the rules so far.
        $seen = [System.Collections.Generic.List[int]]::new()
        $out = Get-ChildItem -Directory | Add-LandlockPathRule -Ruleset $rs -Access ReadOnly -PassThru |
            ForEach-Object { $seen.Add($_.PathRules.Count); $_ }
        $out | Should -HaveCount 1
        $out | Should -Be $rs
        $seen | Should -Be 2
    }

    It 'emits each piped ruleset once with -PassThru' {
        $other = New-LandlockRuleset
        $out = $rs, $other | Add-LandlockPathRule ./data ReadOnly -PassThru
        $out | Should -HaveCount 2
        $out[0] | Should -Be $rs
        $out[1] | Should -Be $other
        $other.PathRules | Should -HaveCount 1
    }

    It 'resolves relative paths against the PowerShell location, not the process cwd' {
        $rs | Add-LandlockPathRule -Path ./data -Access ReadOnly
        $rs.PathRules[0].Path | Should -Be (Join-Path $work.FullName data)
        (Get-Location).ProviderPath | Should -Not -Be ([Environment]::CurrentDirectory)
    }

    It 'expands wildcards in -Path' {
        $rs | Add-LandlockPathRule -Path ./d*, ./o* -Access ReadOnly
        $rs.PathRules.Path | ForEach-Object { Split-Path $_ -Leaf } | Should -Be 'data', 'other'
    }

    It 'takes -LiteralPath verbatim, and items from the pipeline by PSPath' {
        $rs | Add-LandlockPathRule -LiteralPath './data/[odd].txt' -Access ReadFile
        Get-ChildItem -Directory | Add-LandlockPathRule -Ruleset $rs -Access ReadWrite
        $rs.PathRules.Path | ForEach-Object { Split-Path $_ -Leaf } | Should -Be '[odd].txt', 'data', 'other'
    }

    It 'reads a -Path whose wildcard characters are escaped as the name it spells, as Get-Item does' {
        $rs | Add-LandlockPathRule -Path './data/`[odd`].txt' -Access ReadFile
        $rs.PathRules.Path | Should -Be (Get-Item -Path './data/`[odd`].txt').FullName
        ($rs | Test-LandlockAccess -Path './data/sub/../`[odd`].txt' -Access ReadFile).Allowed | Should -BeTrue
    }

    It 'accepts single rights, lists of rights and groups' {
        $rs | Add-LandlockPathRule ./data ReadFile, ReadDir, Truncate
        $rs.PathRules[0].Access | Should -Be 'ReadOnly, Truncate'
    }

    It 'resolves a group within what the ruleset handles' {
        $narrow = New-LandlockRuleset -HandledAccessFs ReadFile, WriteFile
        $narrow | Add-LandlockPathRule ./data ReadWriteExecute
        $narrow.PathRules[0].Access | Should -Be 'WriteFile, ReadFile'
    }

    It 'masks directory-only rights for files and says so with -Verbose' {
        $verbose = $rs | Add-LandlockPathRule ./data/file.txt ReadWrite -Verbose 4>&1
        $rs.PathRules[0].Access | Should -Be 'WriteFile, ReadFile, Truncate, IoctlDev, ResolveUnix'
        ($verbose -join "`n") | Should -Match 'is a file: leaving out .*ReadDir'
    }

    It 'reports AccessNotApplicable when nothing requested applies to a file' {
        $rs | Add-LandlockPathRule ./data/file.txt ReadDir, MakeDir -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "AccessNotApplicable,$Id"
        $ev[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $rs.PathRules | Should -BeNullOrEmpty
    }

    It 'refuses -Access None once for the call, with the same id as Add-LandlockNetRule, on a folder and a file alike' {
        $caught = try { $rs | Add-LandlockPathRule ./data, ./data/file.txt -Access None -ErrorAction SilentlyContinue; $null } catch { $_ }
        $caught.FullyQualifiedErrorId | Should -Be "AccessNotApplicable,$Id"
        $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $caught.Exception.Message | Should -Match 'grants no right'
        $rs.PathRules | Should -BeNullOrEmpty
    }

    It 'reports PathNotFound for a missing path and goes on with the others' {
        $rs | Add-LandlockPathRule ./missing, ./data ReadOnly -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev | Should -HaveCount 1
        $ev[0].FullyQualifiedErrorId | Should -Be "PathNotFound,$Id"
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $ev[0].Exception.Message | Should -Match '-IgnoreMissing'
        $rs.PathRules | Should -HaveCount 1
    }

    It 'reports PathNotAccessible with what went wrong: a symlink loop is no permission problem' {
        [IO.File]::CreateSymbolicLink((Join-Path $work.FullName loop), 'loop') | Out-Null
        $rs | Add-LandlockPathRule -LiteralPath ./loop -Access ReadOnly -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "PathNotAccessible,$Id"
        $ev[0].Exception.Message | Should -Match 'too many levels of symbolic links \(ELOOP\)'
        $ev[0].Exception.Message | Should -Not -Match 'exists|permissions'
    }

    It 'reports PathNotFound for a wildcard that matches nothing' {
        $rs | Add-LandlockPathRule ./nothing* ReadOnly -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "PathNotFound,$Id"
    }

    It 'points to -LiteralPath when -Path names a folder whose name holds brackets, which are wildcards' {
        $null = [IO.Directory]::CreateDirectory((Join-Path $work.FullName 'build[1]'))
        $rs | Add-LandlockPathRule -Path './build[1]' -Access ReadOnly -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "PathNotFound,$Id"
        $ev[0].Exception.Message | Should -Match 'wildcards in -Path\. For a name that holds them, use -LiteralPath'
        # The twin: the literal name is found; a plain missing path gets no wildcard advice.
        $rs | Add-LandlockPathRule -LiteralPath './build[1]' -Access ReadOnly
        $rs.PathRules.Path | Should -Be (Join-Path $work.FullName 'build[1]')
        $rs | Add-LandlockPathRule ./missing ReadOnly -ErrorVariable plain -ErrorAction SilentlyContinue
        $plain[0].Exception.Message | Should -Not -Match 'wildcard'
    }

    It 'skips missing paths with -IgnoreMissing' {
        $verbose = $rs | Add-LandlockPathRule ./missing, ./data ReadOnly -IgnoreMissing -ErrorVariable ev -Verbose 4>&1
        $ev | Should -BeNullOrEmpty
        $rs.PathRules | Should -HaveCount 1
        ($verbose -join "`n") | Should -Match 'Skipping .*missing'
    }

    It 'refuses a non-FileSystem path with PathNotFileSystem' {
        $rs | Add-LandlockPathRule -Path Env:PATH -Access ReadOnly -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "PathNotFileSystem,$Id"
        $ev[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $rs.PathRules | Should -BeNullOrEmpty
    }

    It 'refuses a right the ruleset does not handle with AccessNotHandled' {
        $narrow = New-LandlockRuleset -HandledAccessFs ReadFile
        { $narrow | Add-LandlockPathRule ./data WriteFile } | Should -Throw -ErrorId "AccessNotHandled,$Id"
        $err = { $narrow | Add-LandlockPathRule ./data WriteFile } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'WriteFile'
        $narrow.PathRules | Should -BeNullOrEmpty
    }

    It 'refuses rights of a newer ABI than the ruleset''s' {
        $old = New-LandlockRuleset -Abi V3
        { $old | Add-LandlockPathRule ./data IoctlDev } | Should -Throw -ErrorId "AccessNotHandled,$Id"
    }

    It 'notes a symbolic link with -Verbose' {
        New-Item -ItemType SymbolicLink -Path ./link -Target (Resolve-Path ./data).ProviderPath | Out-Null
        $verbose = $rs | Add-LandlockPathRule ./link ReadOnly -Verbose 4>&1
        ($verbose -join "`n") | Should -Match 'symbolic link'
    }

    It 'merges rules for the same path' {
        $rs | Add-LandlockPathRule ./data ReadFile
        $rs | Add-LandlockPathRule ./data Execute
        $rs.PathRules | Should -HaveCount 1
        $rs.PathRules[0].Access | Should -Be 'Execute, ReadFile'
    }

    It 'requires a ruleset, and says why a pasted fix may find none' {
        # A fix suggested for $ruleset, pasted where the ruleset is in $rs, said only that the argument is null.
        Remove-Variable ruleset -ErrorAction Ignore
        foreach ($paste in { Add-LandlockPathRule -Ruleset $ruleset -LiteralPath /usr -Access ReadOnly }, { Add-LandlockNetRule -Ruleset $ruleset -Port 443 -Access ConnectTcp }) {
            $paste | Should -Throw -ErrorId 'ParameterArgumentValidationError*' -ExpectedMessage '*The ruleset is null*set $ruleset to yours first ($ruleset = $rs)*'
        }
        # The twin: with $ruleset set, the same paste adds the rule.
        $ruleset = New-LandlockRuleset
        Add-LandlockPathRule -Ruleset $ruleset -LiteralPath /usr -Access ReadOnly
        $ruleset.PathRules.Path | Should -Be '/usr'
    }

    It 'shows the rules as a readable table' {
        $text = $rs | Add-LandlockPathRule -Path /usr -Access ReadExecute -PassThru | Out-String
        $text | Should -Match 'ReadExecute\s+/usr'
        $text | Should -Not -Match 'LandlockPS.Core'
    }
}
