BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Id = 'LandlockPS.Commands.AddLandlockNetRuleCommand'
}

Describe 'Add-LandlockNetRule' {
    BeforeEach {
        $rs = New-LandlockRuleset
    }

    It 'adds one rule per port' {
        $rs | Add-LandlockNetRule -Port 80, 443 -Access ConnectTcp
        $rs.NetRules.Port | Should -Be 80, 443
        $rs.NetRules.Access | Should -Be 'ConnectTcp', 'ConnectTcp'
    }

    It 'chains with -PassThru and merges rights on one port' {
        $out = $rs | Add-LandlockNetRule 8080 BindTcp -PassThru | Add-LandlockNetRule 8080 ConnectTcp -PassThru
        $out | Should -Be $rs
        $rs.NetRules | Should -HaveCount 1
        $rs.NetRules[0].Access | Should -Be 'BindTcp, ConnectTcp'
    }

    It 'accepts the edges of the port range' {
        $rs | Add-LandlockNetRule -Port 0, 65535 -Access BindTcp
        $rs.NetRules.Port | Should -Be 0, 65535
    }

    It 'refuses a port out of range with InvalidPort and adds nothing' -TestCases @(
        @{ Port = -1 }, @{ Port = 65536 }, @{ Port = 100000 }
    ) {
        { $rs | Add-LandlockNetRule -Port 80, $Port -Access ConnectTcp } | Should -Throw -ErrorId "InvalidPort,$Id"
        $err = { $rs | Add-LandlockNetRule -Port $Port -Access ConnectTcp } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $rs.NetRules | Should -BeNullOrEmpty
    }

    It 'takes ports as text lists them, one by one or as ranges, as a policy or a CSV column holds them' {
        # PowerShell alone reads '443,8443' as port 4438443 (a thousands separator) and refuses a range.
        $rs | Add-LandlockNetRule -Port '443,8443', '8000-8002 53', 22 -Access ConnectTcp
        $rs.NetRules.Port | Should -Be 443, 8443, 8000, 8001, 8002, 53, 22
    }

    It 'refuses text that names no port, whole, and adds nothing' -TestCases @(
        @{ Text = ''; Why = "-Port got '', which names no port." }
        @{ Text = 'http'; Why = "-Port got 'http', which is not a port." }
        @{ Text = '443, -1'; Why = "-Port got '443, -1': '-1' is not a port." }
        @{ Text = '8000-70000'; Why = "-Port got '8000-70000': '70000' is not a port." }
        @{ Text = '90-80'; Why = "-Port got '90-80', a range that ends before it starts." }
    ) {
        $err = { $rs | Add-LandlockNetRule -Port 80, $Text -Access ConnectTcp } | Should -Throw -ErrorId "ParameterArgumentTransformationError,$Id" -PassThru
        $err.Exception.Message | Should -BeLike "*$Why It takes ports from 0 to 65535*"
        $rs.NetRules | Should -BeNullOrEmpty
    }

    It 'names a few of many bad ports and counts the rest, so the message stays readable' {
        $err = { $rs | Add-LandlockNetRule -Port (1..70000) -Access ConnectTcp } | Should -Throw -ErrorId "InvalidPort,$Id" -PassThru
        $err.Exception.Message | Should -BeLike 'Ports 65536, 65537, 65538, 65539, 65540 and 4460 more are out of range*'
        $rs.NetRules | Should -BeNullOrEmpty
    }

    It 'refuses a right the ruleset does not handle with AccessNotHandled' {
        $tcpOnly = New-LandlockRuleset -HandledAccessNet BindTcp
        { $tcpOnly | Add-LandlockNetRule 53 ConnectTcp } | Should -Throw -ErrorId "AccessNotHandled,$Id"
        $noNet = New-LandlockRuleset -HandledAccessNet None
        { $noNet | Add-LandlockNetRule 53 ConnectTcp } | Should -Throw -ErrorId "AccessNotHandled,$Id"
        $tcpOnly.NetRules | Should -BeNullOrEmpty
    }

    It 'refuses an empty right' {
        { $rs | Add-LandlockNetRule 53 None } | Should -Throw -ErrorId "AccessNotApplicable,$Id"
    }

    It 'shows net rules in the ruleset view' {
        $text = $rs | Add-LandlockNetRule 443 ConnectTcp -PassThru | Out-String
        $text | Should -Match 'ConnectTcp\s+port 443'
    }
}
