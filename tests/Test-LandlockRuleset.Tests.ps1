BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Id = 'LandlockPS.Commands.TestLandlockRulesetCommand'
}

Describe 'Test-LandlockRuleset' {
    AfterEach {
        Remove-Item Env:LANDLOCKPS_TEST_ABI_CAP, Env:LANDLOCKPS_TEST_NO_EMULATION -ErrorAction Ignore
    }

    It 'reports a default ruleset on an ABI 7 kernel as FullyEnforced, naming what LandlockPS emulates' {
        Skip-UnlessLandlockAbi 7
        $env:LANDLOCKPS_TEST_ABI_CAP = '7'
        $report = New-LandlockRuleset | Add-LandlockPathRule /usr ReadExecute -PassThru | Test-LandlockRuleset
        $report.Status | Should -Be 'FullyEnforced'
        $report.Dropped | Should -BeNullOrEmpty
        $report.Emulated | Should -Be 'UnixSockets, UdpSockets, MemfdExecute, IoUring'
        ($report | Out-String) | Should -Match 'Emulated\s+: UnixSockets, UdpSockets, MemfdExecute, IoUring'
        $report.Describe() | Should -Match 'seccomp filter closes'
    }

    It 'reports PartiallyEnforced, naming what was dropped, when rules grant part of what the kernel lacks' {
        Skip-UnlessLandlockAbi 7
        $env:LANDLOCKPS_TEST_ABI_CAP = '7'
        $report = New-LandlockRuleset | Add-LandlockPathRule /run ResolveUnix -PassThru | Add-LandlockNetRule 53 ConnectSendUdp -PassThru | Test-LandlockRuleset
        $report.Status | Should -Be 'PartiallyEnforced'
        $report.Dropped | Should -Be 'ResolveUnix', 'BindUdp', 'ConnectSendUdp'
        $report.Emulated | Should -Be 'MemfdExecute'
        ($report | Out-String) | Should -Match 'Dropped\s+: ResolveUnix, BindUdp, ConnectSendUdp'
    }

    It 'drops what it would emulate where emulation is off' {
        Skip-UnlessLandlockAbi 7
        $env:LANDLOCKPS_TEST_ABI_CAP = '7'
        $env:LANDLOCKPS_TEST_NO_EMULATION = '1'
        $report = New-LandlockRuleset | Test-LandlockRuleset
        $report.Status | Should -Be 'PartiallyEnforced'
        $report.Emulated | Should -Be 'None'
        $report.Dropped | Should -Be 'ResolveUnix', 'BindUdp', 'ConnectSendUdp'
    }

    It 'refuses under HardRequirement what it can neither enforce nor emulate, with CompatibilityRequirementNotMet' {
        Skip-UnlessLandlockAbi 7
        $env:LANDLOCKPS_TEST_ABI_CAP = '7'
        $rs = New-LandlockRuleset -CompatibilityLevel HardRequirement | Add-LandlockNetRule 53 ConnectSendUdp -PassThru
        $rs | Test-LandlockRuleset -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be "CompatibilityRequirementNotMet,$Id"
        $ev[0].CategoryInfo.Category | Should -Be 'NotImplemented'
        $ev[0].Exception.Message | Should -Match 'BindUdp, ConnectSendUdp'
        (New-LandlockRuleset -CompatibilityLevel HardRequirement | Test-LandlockRuleset).Status | Should -Be 'FullyEnforced'
    }

    It 'reports FullyEnforced for an ABI the kernel has' {
        (New-LandlockRuleset -Abi V3 | Test-LandlockRuleset).Status | Should -Be 'FullyEnforced'
    }

    It 'shows network dropped when capped at V3' {
        Skip-UnlessLandlockAbi 3
        $env:LANDLOCKPS_TEST_ABI_CAP = '3'
        $report = New-LandlockRuleset | Add-LandlockNetRule 443 ConnectTcp -PassThru | Test-LandlockRuleset
        $report.EnforcedAccessNet | Should -Be 'None'
        $report.Dropped | Should -Contain 'ConnectTcp'
        $report.SkippedRules | Should -Be 'ConnectTcp on port 443'
    }

    It 'reports NotEnforced when the kernel has no Landlock' {
        $env:LANDLOCKPS_TEST_ABI_CAP = '0'
        $report = New-LandlockRuleset | Test-LandlockRuleset
        $report.Status | Should -Be 'NotEnforced'
        $report.Describe() | Should -Match 'enforces nothing'
    }

    It 'finds a rule path that has gone since it was added' {
        $dir = New-Item -ItemType Directory (Join-Path TestDrive: gone)
        $rs = New-LandlockRuleset | Add-LandlockPathRule $dir.FullName ReadOnly -PassThru
        Remove-Item $dir
        $rs | Test-LandlockRuleset -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "PathNotFound,$Id"
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $ev[0].TargetObject | Should -Be $rs
    }

    It 'takes several rulesets from the pipeline' {
        $reports = (New-LandlockRuleset -Abi V1), (New-LandlockRuleset -Abi V2) | Test-LandlockRuleset
        $reports | Should -HaveCount 2
    }
}
