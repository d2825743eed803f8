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

# The caller copies its startup profile from its cache folder into each new home. A sandbox that may
# write that cache folder grows the file the moment the caller opens it (inotify), after the caller
# checked its size: the copy must still stop at the limit, never fill the temp folder.
Describe 'The startup profile copy' -Skip:(-not (Test-Path /usr/bin/python3)) {
    BeforeAll {
        $script:Cache = (New-Item -ItemType Directory (Join-Path $Root 'cache')).FullName
        $script:Profile = Join-Path (New-Item -ItemType Directory (Join-Path $Cache 'powershell')).FullName 'StartupProfileData-ServerMode'
        [IO.File]::WriteAllBytes($Profile, [byte[]]::new(4KB))
        $script:SavedCache = $env:XDG_CACHE_HOME
        $env:XDG_CACHE_HOME = $Cache
        $script:GrowStop = Join-Path $Cache 'powershell/stop'
        $grower = @'
import ctypes, os, select, sys, time
libc = ctypes.CDLL(None, use_errno=True)
path, size, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
watch = libc.inotify_init1(os.O_NONBLOCK)
libc.inotify_add_watch(watch, path.encode(), 0x20)  # IN_OPEN
grown = 0
def drain():
    try:
        while os.read(watch, 4096): pass
    except BlockingIOError: pass
while not os.path.exists(stop):
    if not select.select([watch], [], [], 0.2)[0]: continue
    with open(path, 'r+b') as f:
        f.truncate(size); grown += 1
        time.sleep(1.5)
        f.truncate(4096)
    drain()
print(grown)
'@
        $attacker = New-SystemRuleset | Add-LandlockPathRule -Path (Join-Path $Cache 'powershell') -Access ReadWrite -PassThru
        $script:GrowJob = Start-ThreadJob -ArgumentList "$PSScriptRoot/../LandlockPS.psd1", $attacker, $grower, $Profile, 64MB, $GrowStop {
            param($Module, $Rs, $Code, $Path, $Size, $Stop)
            Import-Module $Module
            Invoke-Sandboxed -Ruleset $Rs /usr/bin/python3 -ArgumentList '-c', $Code, $Path, $Size, $Stop
        }
        # Until the attacker watches: it makes the file grow when opened.
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        do {
            Start-Sleep -Milliseconds 500
            $stream = [IO.File]::OpenRead($Profile); $stream.Dispose()
            Start-Sleep -Milliseconds 300
            $watching = (Get-Item $Profile).Length -gt 4KB
        } until ($watching -or [DateTime]::UtcNow -gt $deadline)
        Start-Sleep 2
    }

    AfterAll {
        $env:XDG_CACHE_HOME = $SavedCache
        Set-Content $GrowStop 'stop'
        $GrowJob | Wait-Job -Timeout 30 | Out-Null
        $GrowJob | Remove-Job -Force
    }

    It 'never copies more than its limit, however the file grows after its size was checked' {
        # The control: a reader that trusts the size it checked gets what the file grew to.
        $checked = (Get-Item $Profile).Length
        $stream = [IO.File]::OpenRead($Profile)
        Start-Sleep -Milliseconds 300
        $copy = [IO.MemoryStream]::new()
        $stream.CopyTo($copy); $stream.Dispose()
        $checked | Should -Be 4KB
        $copy.Length | Should -BeGreaterThan 16MB -Because 'the attacker must grow the file once it is opened'
        $copy.Dispose()
        Start-Sleep 2

        $sizes = foreach ($i in 1..3) {
            Invoke-Sandboxed -Ruleset $Rs { (Get-Item ~/.cache/powershell/StartupProfileData-ServerMode -ErrorAction SilentlyContinue).Length }
            Start-Sleep 2
        }
        $sizes | ForEach-Object { $_ | Should -BeLessOrEqual 16MB }
        # The twin: a profile that stays small is copied whole.
        Set-Content $GrowStop 'stop'
        $GrowJob | Wait-Job -Timeout 30 | Receive-Job | Should -BeGreaterThan 0
        Invoke-Sandboxed -Ruleset $Rs { (Get-Item ~/.cache/powershell/StartupProfileData-ServerMode).Length } | Should -Be 4KB
    }
}

# OPEN FINDING (red team): a sandbox that may write the temp folder can write every other child's
# home, which comes first on that child's PSModulePath: a module it plants there runs in the other
# sandbox, with that sandbox's rights (its network, its secrets). Skipped until homes live where no
# sandbox can write; it failed in 3 of 3 launches when written.
Describe 'Another sandbox''s home' {
    It 'is not a way to run code in that sandbox' -Skip {
        $attacker = New-LandlockSession -Ruleset $Rs
        $job = Invoke-Command -Session $attacker -AsJob -ArgumentList $Temp {
            param($Temp)
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            $planted = 0
            while ([DateTime]::UtcNow -lt $deadline -and -not [IO.File]::Exists("$Temp/stop-plant")) {
                foreach ($h in [IO.Directory]::GetDirectories($Temp, 'landlockps-home-*')) {
                    $module = "$h/Modules/Microsoft.PowerShell.Utility"
                    if ($h -eq $HOME -or -not [IO.Directory]::Exists("$h/Modules") -or [IO.Directory]::Exists($module)) { continue }
                    try {
                        $null = [IO.Directory]::CreateDirectory($module)
                        [IO.File]::WriteAllText("$module/Microsoft.PowerShell.Utility.psm1", 'function ConvertTo-Json { "hijacked" }')
                        [IO.File]::WriteAllText("$module/Microsoft.PowerShell.Utility.psd1", "@{ ModuleVersion = '99.0'; RootModule = 'Microsoft.PowerShell.Utility.psm1'; FunctionsToExport = 'ConvertTo-Json' }")
                        $planted++
                    } catch { }
                }
            }
            $planted
        }
        $seen = foreach ($i in 1..3) {
            Invoke-Sandboxed -Ruleset (New-LandlockRuleset -Abi 7) { [Threading.Thread]::Sleep(3000); ConvertTo-Json 1 }
        }
        Set-Content (Join-Path $Temp 'stop-plant') 'stop'
        $job | Wait-Job | Receive-Job | Should -BeGreaterThan 0 -Because 'the attacker must have reached the homes'
        Remove-PSSession $attacker
        $seen | Should -Be 1, 1, 1
    }
}

# OPEN FINDING (red team, low): the sweep of abandoned homes knows a home by its name alone. A
# sandbox that may make and remove folders in the temp folder, but not remove files, renames a
# folder of the caller's to a dead process's home name, and the next caller's sweep removes its
# files for it. Skipped: nothing a sandbox cannot forge marks a home as the caller's.
Describe 'The sweep of abandoned homes' {
    It 'removes nothing a sandbox renamed to look like a home' -Skip {
        $data = New-Item -ItemType Directory (Join-Path $Temp 'data')
        Set-Content (Join-Path $data 'important.txt') 'keep me'
        $rs = New-LandlockRuleset -Abi 7 -HandledAccessFs ReadDir, RemoveFile, RemoveDir, MakeDir, MakeReg, Refer |
            Add-LandlockPathRule -Path $Temp -Access ReadDir, MakeDir, RemoveDir -PassThru |
            Add-LandlockPathRule -Path /usr, /lib, /lib64, /bin -Access ReadDir -IgnoreMissing -PassThru
        Invoke-Sandboxed -Ruleset $rs rm -ArgumentList (Join-Path $data 'important.txt') -StandardError Output | Should -Match 'Permission denied'
        Invoke-Sandboxed -Ruleset $rs mv -ArgumentList $data, (Join-Path $Temp 'landlockps-home-999999-0123456789abcdef')
        & (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -Command "Import-Module '$RepoRoot/LandlockPS.psd1'; Invoke-Sandboxed -Ruleset (New-LandlockRuleset -Abi 7) { 1 }" | Should -Be 1
        Get-Content (Join-Path $Temp 'landlockps-home-999999-0123456789abcdef/important.txt') | Should -Be 'keep me'
    }
}
