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

    It 'updates its help with Update-Help from the files that publish it, where it failed for want of a HelpInfoUri' {
        # The help ships inside the module; Update-Help -Module LandlockPS said the module "does not
        # support updatable help". The files build.ps1 -Task Package writes are what HelpInfoURI serves.
        $Manifest.HelpInfoUri | Should -Match '^https://.*/$'
        $published = Join-Path $TestDrive 'help'
        $files = & (Join-Path $RepoRoot 'tools/New-UpdatableHelp.ps1') -ModuleRoot $RepoRoot -OutPath $published
        $files | Split-Path -Leaf | Should -Be "LandlockPS_$($Manifest.Guid)_en-US_HelpContent.zip", "LandlockPS_$($Manifest.Guid)_HelpInfo.xml"
        $culture = ([xml](Get-Content -Raw $files[1])).HelpInfo.SupportedUICultures.UICulture
        $culture.UICultureName | Should -Be 'en-US'
        [version]$culture.UICultureVersion | Should -Be ([version]"$($Manifest.Version).0") -Because 'the help is that of this version'
        # In a fresh pwsh with a throwaway home, where Update-Help installs for the current user.
        $output = & (Join-Path $RepoRoot 'tools/Invoke-PwshWithScratchHome.ps1') -ScratchHome (Join-Path $TestDrive 'home') -ArgumentList $RepoRoot, $published -ScriptBlock {
            param([string] $Root, [string] $Published)
            $ErrorActionPreference = 'Stop'
            Import-Module (Join-Path $Root 'LandlockPS.psd1')
            foreach ($time in 'first', 'again') {
                "${time}: $(Update-Help -Module LandlockPS -SourcePath $Published -UICulture en-US -Verbose 4>&1)"
            }
            "examples: $(@((Get-Help Test-LandlockAccess -Examples).examples.example).Count)"
        }
        # Any error would have stopped the fresh pwsh, and the script above would have thrown.
        $text = $output -join "`n"
        $text | Should -Match '(?m)^first: .*LandlockPS: Updated .*/LandlockPS\.dll-Help\.xml\. Culture en-US Version'
        $text | Should -Match '(?m)^again: '
        $text | Should -Match '(?m)^examples: [1-9]'
    }

    It 'never confines the session that imports it' {
        New-LandlockRuleset | Add-LandlockPathRule /usr ReadExecute -PassThru | Test-LandlockRuleset | Out-Null
        Get-RestrictedThread | Should -BeNullOrEmpty
        Get-Content /etc/passwd -TotalCount 1 | Should -Not -BeNullOrEmpty
    }
}
