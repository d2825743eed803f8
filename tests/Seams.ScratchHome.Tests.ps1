# The unconfined caller makes each child pwsh's home in the temp folder, which other sandboxes may
# write. An attacker sandbox with ReadWrite on the temp folder races many launches, planting links
# in every home it sees: the caller must never write, create or remove anything outside the homes
# it made itself.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "llps-race-$([guid]::NewGuid().ToString('n'))")).FullName
    # The temp folder every home is made in, for this file's launches alone.
    $script:Temp = (New-Item -ItemType Directory (Join-Path $Root 'tmp')).FullName
    # What the attacker wants the caller to write: a file it can neither read nor write, a folder outside its rules.
    $script:Victim = (New-Item -ItemType Directory (Join-Path $Root 'victim')).FullName
    $script:VictimDir = (New-Item -ItemType Directory (Join-Path $Victim 'dir')).FullName
    $script:Target = Join-Path $Victim 'target.psd1'
    Set-Content $Target 'original'
    $script:SavedTemp = $env:TMPDIR
    $env:TMPDIR = $Temp
    $script:Rs = New-LandlockRuleset -Abi ([Math]::Min(7, [int](Get-LandlockAbi).EffectiveAbi)) |
        Add-LandlockPathRule -Path $Temp -Access ReadWrite -PassThru

    # Runs in the attacker's sandbox until told to stop: for every home it sees (its own aside),
    # plants links where the caller makes folders and files, and swaps whole homes for links.
    $script:Attack = {
        param($Temp, $VictimDir, $Target)
        $plants = 0
        $swapped = @{}
        $deadline = [DateTime]::UtcNow.AddMinutes(2)
        function Plant([string] $Path, [string] $To) {
            try { [IO.File]::CreateSymbolicLink($Path, $To) | Out-Null; $script:plants++ } catch { }
        }
        while ([DateTime]::UtcNow -lt $deadline -and -not [IO.File]::Exists("$Temp/stop")) {
            foreach ($h in [IO.Directory]::GetDirectories($Temp, 'landlockps-home-*')) {
                if ($h -eq $HOME -or $h.EndsWith('.moved')) { continue }
                Plant "$h/.cache" $VictimDir
                try { [IO.Directory]::CreateDirectory("$h/Modules") | Out-Null } catch { }
                Plant "$h/Modules/LandlockPS" $VictimDir
                Plant "$h/.cache/powershell" $VictimDir
                Plant "$h/.cache/powershell/StartupProfileData-ServerMode" $Target
                Plant "$h/Modules/LandlockPS/LandlockPS.psd1" $Target
                if (-not $swapped[$h] -and $h -notlike '*control*') {
                    $swapped[$h] = $true
                    try { [IO.Directory]::Move($h, "$h.moved"); Plant $h $VictimDir } catch { }
                }
            }
        }
        $plants
    }
}

AfterAll {
    $env:TMPDIR = $SavedTemp
    Get-PSSession | Where-Object ComputerName -eq landlock | Remove-PSSession
    # .NET's recursive delete removes links, never what they point to.
    [IO.Directory]::Delete($Root, $true)
}

Describe 'The scratch home race' {
    It 'never writes, creates or removes anything outside the homes the caller made' {
        $attacker = New-LandlockSession -Ruleset $Rs
        $job = Invoke-Command -Session $attacker -ScriptBlock $Attack -ArgumentList $Temp, $VictimDir, $Target -AsJob

        # The control: the same attack against a writer that follows links lands in the victim's folder.
        $control = New-Item -ItemType Directory (Join-Path $Temp 'landlockps-home-control')
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not (Get-Item (Join-Path $control 'Modules/LandlockPS') -ErrorAction Ignore).LinkTarget -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
        }
        Set-Content (Join-Path $control 'Modules/LandlockPS/LandlockPS.psd1') 'written by path'
        Get-Content (Join-Path $VictimDir 'LandlockPS.psd1') | Should -Be 'written by path' -Because 'the attack must reach a writer that follows links'
        Remove-Item (Join-Path $VictimDir 'LandlockPS.psd1')

        $outcomes = foreach ($i in 1..12) {
            try {
                Invoke-Sandboxed -Ruleset $Rs { 'ran' } -ErrorAction Stop
            } catch {
                $_.FullyQualifiedErrorId
            }
            if ($i % 6 -eq 0) {
                $s = New-LandlockSession -Ruleset $Rs -ErrorAction SilentlyContinue
                if ($s) { Invoke-Command -Session $s { 'ran' }; Remove-PSSession $s }
            }
        }
        Set-Content (Join-Path $Temp stop) 'stop'
        $plants = $job | Wait-Job | Receive-Job
        Write-Host "launches: $(@($outcomes).Count), disturbed: $(@($outcomes | Where-Object { $_ -ne 'ran' }).Count), links planted: $plants"
        Remove-PSSession $attacker

        $plants | Should -BeGreaterThan 0 -Because 'the attacker must have planted links'
        Get-Content $Target | Should -Be 'original'
        Get-ChildItem -Force $VictimDir | Should -BeNullOrEmpty
        (Get-ChildItem -Force $Victim).Name | Should -Be 'dir', 'target.psd1'
        # A launch the attacker disturbed fails with one clear error, never another kind.
        $outcomes | Where-Object { $_ -ne 'ran' } | ForEach-Object { $_ | Should -BeLike 'ScratchHomeFailed*' }
    }
}
