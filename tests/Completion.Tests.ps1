BeforeAll {
    . $PSScriptRoot/common.ps1

    # What Tab offers at the end of a line, as a user at the prompt sees it.
    function script:Complete([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
}

Describe 'Tab completion of access rights' {
    It 'offers the file rights and every group name for -Access Read' {
        Complete 'Add-LandlockPathRule -Access Read' | Sort-Object |
            Should -Be ('ReadDir', 'ReadExecute', 'ReadFile', 'ReadOnly', 'ReadWrite', 'ReadWriteExecute')
    }

    It 'completes <Expected> in "<Line>"' -TestCases @(
        @{ Line = 'Add-LandlockPathRule -Ruleset $r -Path /usr -Access ReadW'; Expected = 'ReadWrite', 'ReadWriteExecute' }
        @{ Line = 'Add-LandlockPathRule -Ruleset $r -Path /usr -Access ReadFile,Wr'; Expected = 'WriteFile' }
        @{ Line = 'Add-LandlockPathRule -Ruleset $r -Path /tmp -Access '; Expected = 'Execute', 'MakeDir', 'RemoveFile', 'Refer', 'Truncate', 'IoctlDev', 'ResolveUnix' }
        @{ Line = 'New-LandlockRuleset -HandledAccessFs Resol'; Expected = 'ResolveUnix' }
        @{ Line = 'Test-LandlockAccess -Ruleset $r -Path /etc -Access ReadE'; Expected = 'ReadExecute' }
        @{ Line = 'Add-LandlockNetRule -Ruleset $r -Port 1 -Access '; Expected = 'BindTcp', 'ConnectTcp', 'BindUdp', 'ConnectSendUdp' }
        @{ Line = 'Add-LandlockNetRule -Ruleset $r -Port 1 -Access Conn'; Expected = 'ConnectTcp', 'ConnectSendUdp' }
        @{ Line = 'New-LandlockRuleset -HandledAccessNet Bind'; Expected = 'BindTcp', 'BindUdp' }
        @{ Line = 'New-LandlockRuleset -Scope '; Expected = 'AbstractUnixSocket', 'Signal' }
    ) {
        $offered = Complete $Line
        foreach ($name in $Expected) { $offered | Should -Contain $name }
    }
}

Describe 'Tab completion of ruleset options' {
    It 'offers every ABI, V1 to V10, for -Abi V' {
        Complete 'New-LandlockRuleset -Abi V' | Sort-Object { [int]$_.Substring(1) } |
            Should -Be (1..10 | ForEach-Object { "V$_" })
    }

    It 'offers every profile for "<Line>"' -TestCases @(
        @{ Line = 'New-LandlockRuleset -Profile ' }
        @{ Line = 'New-LandlockRuleset -Profile SystemReadOnly, ' }
        @{ Line = 'Get-LandlockProfile -Name ' }
    ) {
        Complete $Line | Sort-Object | Should -Be ((Get-LandlockProfile).Name | ForEach-Object ToString | Sort-Object)
    }

    It 'completes <Expected> in "<Line>"' -TestCases @(
        @{ Line = 'New-LandlockRuleset -Profile Web'; Expected = 'WebClient' }
        @{ Line = 'New-LandlockRuleset -CompatibilityLevel '; Expected = 'BestEffort', 'HardRequirement' }
        @{ Line = 'New-LandlockRuleset -LogFlags LogN'; Expected = 'LogNewExecOn' }
    ) {
        $offered = Complete $Line
        foreach ($name in $Expected) { $offered | Should -Contain $name }
    }
}

Describe 'Tab completion of policy formats' {
    It 'offers Json and Toml for "<Line>"' -TestCases @(
        @{ Line = 'Import-LandlockRuleset -Path ./policy -Format ' }
        @{ Line = 'Export-LandlockRuleset -Ruleset $r -Path ./policy -Format ' }
    ) {
        Complete $Line | Sort-Object | Should -Be ('Json', 'Toml')
    }
}

Describe 'Tab completion of programs' {
    It 'completes <Expected> in "<Line>"' -TestCases @(
        @{ Line = 'Invoke-Sandboxed -FilePath ca'; Expected = 'cat' }
        @{ Line = 'Invoke-Sandboxed -Ruleset $r -FilePath gre'; Expected = 'grep' }
        @{ Line = 'Invoke-Sandboxed -Ruleset $r ca'; Expected = 'cat' }
        @{ Line = 'Invoke-Sandboxed -Ruleset $r -FilePath /usr/bin/tr'; Expected = '/usr/bin/true' }
    ) {
        Complete $Line | Should -Contain $Expected
    }

    It 'completes a path relative to the PowerShell location' {
        Push-Location $RepoRoot
        try {
            Complete 'Invoke-Sandboxed -FilePath ./build.p' | Should -Contain './build.ps1'
        } finally {
            Pop-Location
        }
    }
}
