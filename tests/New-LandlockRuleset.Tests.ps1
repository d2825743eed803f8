BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'New-LandlockRuleset' {
    It 'denies everything the newest ABI can restrict by default' {
        $rs = New-LandlockRuleset
        $rs | Should -BeOfType ([LandlockPS.Core.Landlock.LandlockRuleset])
        $rs.Abi | Should -Be 'V10'
        $rs.HandledAccessFs | Should -Be 'ReadWriteExecute'
        $rs.HandledAccessNet | Should -Be 'BindTcp, ConnectTcp, BindUdp, ConnectSendUdp'
        $rs.Scope | Should -Be 'AbstractUnixSocket, Signal'
        $rs.CompatibilityLevel | Should -Be 'BestEffort'
        $rs.LogFlags | Should -Be 'None'
    }

    It 'names the ABI it defaulted to with -Verbose, and nothing when -Abi is given' {
        $verbose = New-LandlockRuleset -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        "$verbose" | Should -Match 'defaults to ABI V10, the newest this module knows'
        "$verbose" | Should -Match 'pin -Abi'
        New-LandlockRuleset -Abi V10 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Should -BeNullOrEmpty
    }

    It 'takes every setting' {
        $rs = New-LandlockRuleset -Name web -Abi V7 -HandledAccessFs ReadFile, WriteFile -HandledAccessNet ConnectTcp `
            -Scope Signal -CompatibilityLevel HardRequirement -LogFlags LogNewExecOn
        $rs.Name | Should -Be 'web'
        $rs.Abi | Should -Be 'V7'
        $rs.HandledAccessFs | Should -Be 'WriteFile, ReadFile'
        $rs.HandledAccessNet | Should -Be 'ConnectTcp'
        $rs.Scope | Should -Be 'Signal'
        $rs.CompatibilityLevel | Should -Be 'HardRequirement'
        $rs.LogFlags | Should -Be 'LogNewExecOn'
    }

    It 'resolves a group against the pinned ABI' -TestCases @(
        @{ Abi = 'V1'; Group = 'ReadWrite'; Has = 'MakeSym'; HasNot = 'Refer' }
        @{ Abi = 'V3'; Group = 'ReadWrite'; Has = 'Truncate'; HasNot = 'IoctlDev' }
        @{ Abi = 'V10'; Group = 'ReadWriteExecute'; Has = 'ResolveUnix'; HasNot = 'None' }
    ) {
        $rs = New-LandlockRuleset -Abi $Abi -HandledAccessFs $Group
        $rs.HandledAccessFs.HasFlag([LandlockPS.Core.Landlock.LandlockAccessFs]$Has) | Should -BeTrue
        if ($HasNot -ne 'None') {
            $rs.HandledAccessFs.HasFlag([LandlockPS.Core.Landlock.LandlockAccessFs]$HasNot) | Should -BeFalse
        }
    }

    It 'can leave a kind of access unhandled' {
        $rs = New-LandlockRuleset -HandledAccessNet None -Scope None
        $rs.HandledAccessNet | Should -Be 'None'
        $rs.Scope | Should -Be 'None'
    }

    It 'refuses a right the pinned ABI lacks with AccessNotInAbi' {
        { New-LandlockRuleset -Abi V3 -HandledAccessFs IoctlDev } |
            Should -Throw -ErrorId 'AccessNotInAbi,LandlockPS.Commands.NewLandlockRulesetCommand'
        { New-LandlockRuleset -Abi V3 -HandledAccessNet BindTcp } | Should -Throw -ErrorId 'AccessNotInAbi*'
        $err = { New-LandlockRuleset -Abi V3 -HandledAccessFs IoctlDev } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'V5'
    }

    It 'refuses a ruleset that handles nothing with EmptyRuleset' {
        { New-LandlockRuleset -HandledAccessFs None -HandledAccessNet None -Scope None } |
            Should -Throw -ErrorId 'EmptyRuleset,LandlockPS.Commands.NewLandlockRulesetCommand'
    }

    It 'refuses Tsync as a log flag' {
        { New-LandlockRuleset -LogFlags Tsync } | Should -Throw -ErrorId 'InvalidLogFlags*'
    }

    It 'refuses an unknown right at binding time' {
        { New-LandlockRuleset -HandledAccessFs ReadEverything } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage*'
    }

    It 'prints its settings and an empty rule list' {
        $text = New-LandlockRuleset -Name empty | Out-String
        $text | Should -Match 'Name\s+: empty'
        $text | Should -Match 'no rules'
    }
}
