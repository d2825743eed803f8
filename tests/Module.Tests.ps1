BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Manifest = Test-ModuleManifest (Join-Path $RepoRoot 'LandlockPS.psd1')
}

Describe 'The LandlockPS module' {
    It 'targets PowerShell 7.6 Core' {
        $Manifest.PowerShellVersion | Should -Be ([version]'7.6')
        $Manifest.CompatiblePSEditions | Should -Be 'Core'
    }

    It 'exports exactly the cmdlets its manifest lists' {
        $exported = (Get-Command -Module LandlockPS).Name | Sort-Object
        $exported | Should -Be ($Manifest.ExportedCmdlets.Keys | Sort-Object)
    }

    It 'has a help page for every exported cmdlet' {
        foreach ($name in $Manifest.ExportedCmdlets.Keys) {
            Join-Path $RepoRoot "docs/en-US/$name.md" | Should -Exist
        }
    }

    It 'declares an output type for every cmdlet' {
        foreach ($command in Get-Command -Module LandlockPS) {
            $command.OutputType | Should -Not -BeNullOrEmpty -Because "$($command.Name) should declare [OutputType]"
        }
    }

    It 'never confines the session that imports it' {
        New-LandlockRuleset | Add-LandlockPathRule /usr ReadExecute -PassThru | Test-LandlockRuleset | Out-Null
        Get-NoNewPrivsThread | Should -BeNullOrEmpty
        Get-Content /etc/passwd -TotalCount 1 | Should -Not -BeNullOrEmpty
    }
}

Describe 'Tab completion' {
    BeforeAll {
        . $PSScriptRoot/common.ps1
        function script:Complete([string] $Line) { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText }
    }

    It 'completes -FilePath with programs on PATH and with paths' {
        Complete 'Invoke-Sandboxed -Ruleset $r -FilePath gre' | Should -Contain 'grep'
        Complete 'Invoke-Sandboxed -Ruleset $r -FilePath /usr/bin/tr' | Should -Contain '/usr/bin/true'
    }

    It 'completes access rights and group names' -TestCases @(
        @{ Line = 'Add-LandlockPathRule -Ruleset $r -Path /usr -Access ReadW'; Expected = 'ReadWriteExecute' }
        @{ Line = 'New-LandlockRuleset -HandledAccessFs Resol'; Expected = 'ResolveUnix' }
        @{ Line = 'Add-LandlockNetRule -Ruleset $r -Port 1 -Access Conn'; Expected = 'ConnectTcp' }
        @{ Line = 'New-LandlockRuleset -Scope Sig'; Expected = 'Signal' }
        @{ Line = 'New-LandlockRuleset -Abi V1'; Expected = 'V10' }
    ) {
        Complete $Line | Should -Contain $Expected
    }
}
