BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    $ProfileNames = [enum]::GetNames([LandlockPS.Core.Landlock.LandlockProfileName])
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Id = 'LandlockPS.Commands.GetLandlockProfileCommand'
    $script:Names = [enum]::GetNames([LandlockPS.Core.Landlock.LandlockProfileName])

    # A profile's rules as the help page writes them, one per line.
    function script:Get-RuleLine($Profile) { @($Profile.PathRules) + @($Profile.NetRules) | ForEach-Object ToString }
}

Describe 'Get-LandlockProfile' {
    It 'lists every profile, in order, each with a purpose, a caveat and rules' {
        $all = Get-LandlockProfile
        $all.Name | Should -Be $Names
        foreach ($p in $all) {
            $p | Should -BeOfType ([LandlockPS.Core.Landlock.LandlockProfile])
            $p.Description | Should -Not -BeNullOrEmpty
            $p.Caveat | Should -Not -BeNullOrEmpty
            (Get-RuleLine $p).Count | Should -BeGreaterThan 0
        }
    }

    It 'shows the named profiles only' {
        (Get-LandlockProfile WebClient, SharedTemp).Name | Should -Be 'WebClient', 'SharedTemp'
        (Get-LandlockProfile WebClient).NetRules.Port | Should -Be 53, 80, 443
    }

    It "takes a ruleset's Profiles from the pipeline" {
        $rs = New-LandlockRuleset -Abi V7 -Profile SharedTemp, ProcessInfo
        ($rs.Profiles | Get-LandlockProfile).Name | Should -Be 'SharedTemp', 'ProcessInfo'
    }

    It 'refuses an unknown name at binding time' {
        { Get-LandlockProfile Everything } | Should -Throw -ErrorId "CannotConvertArgumentNoMessage,$Id"
    }

    It 'prints rules and caveat by default, marking paths this machine lacks' {
        $text = Get-LandlockProfile | Out-String -Width 200
        foreach ($p in Get-LandlockProfile) {
            $text | Should -Match "Name\s+: $($p.Name)"
            foreach ($rule in $p.PathRules) {
                $missing = [LandlockPS.Core.Landlock.RuleTarget]::Probe($rule.Path) -eq 'Missing'
                $text | Should -Match ([regex]::Escape("$rule") + $(if ($missing) { '\s+\(missing here' } else { '\r?\n' }))
            }
        }
    }

    It 'has a one-line-per-profile table view' {
        $table = Get-LandlockProfile | Format-Table | Out-String -Width 200
        $table | Should -Match 'WebClient\s+\d+\s+53, 80, 443'
    }
}

Describe 'The help lists each profile exactly as the code defines it' {
    BeforeAll {
        $page = Get-Content -Raw (Join-Path $RepoRoot 'docs/en-US/Get-LandlockProfile.md')
        $description = [regex]::Match($page, '(?s)## DESCRIPTION\s*(.*?)(?=\n## )').Groups[1].Value
        # "`Name`: ..." opens a profile; the "- " lines after it are its rules.
        $script:Documented = [ordered]@{}
        $current = $null
        foreach ($line in $description -split '\r?\n') {
            if ($line -match '^`(?<name>\w+)`: ') { $current = $Matches.name; $Documented[$current] = [Collections.Generic.List[string]]::new() }
            elseif ($current -and $line -match '^- (?<rule>.+)$') { $Documented[$current].Add($Matches.rule) }
        }
        # A list item too long for an 80-column terminal goes on, indented, on the next line: joined back here.
        $script:HelpText = ((Get-Help Get-LandlockProfile).Description.Text -join "`n") -replace '\n  (?=\S)', ' '
    }

    It 'documents every profile, in order' {
        @($Documented.Keys) | Should -Be $Names
    }

    It 'lists the exact rules of <_> in the page and in Get-Help' -ForEach $ProfileNames {
        $expected = Get-RuleLine (Get-LandlockProfile $_)
        @($Documented[$_]) | Should -Be $expected
        foreach ($rule in $expected) { $HelpText | Should -Match ('(?m)^- ' + [regex]::Escape($rule) + '$') }
    }
}

Describe 'Tab completion of profile names' {
    BeforeAll {
        function script:Complete([string] $Line) { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText }
    }

    It 'completes <Line>' -TestCases @(
        @{ Line = 'New-LandlockRuleset -Profile Sys'; Expected = 'SystemReadOnly', 'SystemConfig' }
        @{ Line = 'New-LandlockRuleset -Profile SystemReadOnly, Web'; Expected = 'WebClient' }
        @{ Line = 'Get-LandlockProfile Sha'; Expected = 'SharedTemp' }
    ) {
        $completions = Complete $Line
        foreach ($e in $Expected) { $completions | Should -Contain $e }
    }
}
