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
        Get-RestrictedThread | Should -BeNullOrEmpty
        Get-Content /etc/passwd -TotalCount 1 | Should -Not -BeNullOrEmpty
    }
}
