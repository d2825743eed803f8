# A script block's child gets read rules on folders the caller's own settings choose: each folder of
# PSModulePath, this module's folder, a script's folder. Any may lie in a folder a sandbox can write,
# which could swap it for a link to a folder it may not read, before the next launch: a rule built by
# path would follow the link, and every later block could read what it points to.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Abi = [LandlockPS.Core.Landlock.LandlockAbi][Math]::Min(7, [int](Get-LandlockAbi).EffectiveAbi)
}

Describe 'A folder on the child''s PSModulePath' {
    BeforeEach {
        $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "llps-chosen-$([guid]::NewGuid().ToString('n'))")).FullName
        $script:Modules = (New-Item -ItemType Directory (Join-Path $Root 'mods')).FullName
        $null = New-Item -ItemType File (Join-Path $Modules 'marker.txt')
        $script:Private = (New-Item -ItemType Directory (Join-Path $Root 'private')).FullName
        Set-Content (Join-Path $Private 'secret.txt') 'the secret'
        $script:Environment = @{ PSModulePath = $Modules; PATH = $env:PATH }
        # Denies everything it handles: only the implicit rules let the child read.
        $script:Victim = New-LandlockRuleset -Abi $Abi
        $script:Read = { param($folder) try { (Get-ChildItem -LiteralPath $folder -ErrorAction Stop).Name } catch { 'denied' } }
    }

    AfterEach { [IO.Directory]::Delete($Root, $true) }

    It 'is readable in the child as the folder it is (the allowed twin)' {
        Invoke-Sandboxed -Ruleset $Victim -Environment $Environment $Read -ArgumentList $Modules | Should -Be 'marker.txt'
        Invoke-Sandboxed -Ruleset $Victim -Environment $Environment $Read -ArgumentList $Private | Should -Be 'denied'
    }

    It 'gets no rule once swapped for a link, so what the link points to stays closed' {
        [IO.Directory]::Delete($Modules, $true)
        $null = New-Item -ItemType SymbolicLink -Path $Modules -Target $Private
        & $Read $Modules | Should -Be 'secret.txt' -Because 'unconfined, the link leads to the private folder'
        Invoke-Sandboxed -Ruleset $Victim -Environment $Environment $Read -ArgumentList $Modules -Verbose 4>&1 | Tee-Object -Variable said |
            Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] } | Should -Be 'denied'
        ($said | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
            Where-Object { $_ -like "  implicit: none on $Modules, which is reached through a symbolic link*Add-LandlockPathRule" } |
            Should -HaveCount 1 -Because '-Verbose says why it got no rule'
        Invoke-Sandboxed -Ruleset $Victim -Environment $Environment { Get-Content -LiteralPath $args[0] -ErrorAction SilentlyContinue } -ArgumentList (Join-Path $Private 'secret.txt') |
            Should -BeNullOrEmpty
    }
}
