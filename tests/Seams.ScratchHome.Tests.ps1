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
    $script:SavedRuntime = $env:XDG_RUNTIME_DIR
    $env:TMPDIR = $Temp
    # Without a login session's private runtime folder, homes are made in the temp folder.
    $env:XDG_RUNTIME_DIR = $null
    $script:Rs = New-LandlockRuleset -Abi ([Math]::Min(7, [int](Get-LandlockAbi).EffectiveAbi)) |
        Add-LandlockPathRule -Path $Temp -Access ReadWrite -PassThru
    # Where this process makes homes: the folder each child's HOME is in.
    function script:Get-HomeRoot { Split-Path (Invoke-Sandboxed -Ruleset (New-LandlockRuleset -Abi 7) { $HOME }) }
    $script:HomeRoot = Get-HomeRoot

    # Runs in the attacker's sandbox until told to stop: for every home it sees (its own aside),
    # plants links where the caller makes folders and files, and swaps whole homes for links.
    $script:Attack = {
        param($Temp, $HomeRoot, $VictimDir, $Target)
        $plants = 0
        $swapped = @{}
        $deadline = [DateTime]::UtcNow.AddMinutes(2)
        function Plant([string] $Path, [string] $To) {
            try { [IO.File]::CreateSymbolicLink($Path, $To) | Out-Null; $script:plants++ } catch { }
        }
        while ([DateTime]::UtcNow -lt $deadline -and -not [IO.File]::Exists("$Temp/stop")) {
            foreach ($h in [IO.Directory]::GetDirectories($HomeRoot, 'landlockps-home-*')) {
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
    $env:XDG_RUNTIME_DIR = $SavedRuntime
    Get-PSSession | Where-Object ComputerName -eq landlock | Remove-PSSession
    # .NET's recursive delete removes links, never what they point to.
    [IO.Directory]::Delete($Root, $true)
}

Describe 'The scratch home race' {
    It 'never writes, creates or removes anything outside the homes the caller made' {
        $HomeRoot | Should -BeLike "$Temp*" -Because 'the attacker may write the temp folder, and so the homes made there'
        $attacker = New-LandlockSession -Ruleset $Rs -WarningAction SilentlyContinue
        $job = Invoke-Command -Session $attacker -ScriptBlock $Attack -ArgumentList $Temp, $HomeRoot, $VictimDir, $Target -AsJob

        # The control: the same attack against a writer that follows links lands in the victim's folder.
        $control = New-Item -ItemType Directory (Join-Path $HomeRoot 'landlockps-home-control')
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not (Get-Item (Join-Path $control 'Modules/LandlockPS') -ErrorAction Ignore).LinkTarget -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
        }
        Set-Content (Join-Path $control 'Modules/LandlockPS/LandlockPS.psd1') 'written by path'
        Get-Content (Join-Path $VictimDir 'LandlockPS.psd1') | Should -Be 'written by path' -Because 'the attack must reach a writer that follows links'
        Remove-Item (Join-Path $VictimDir 'LandlockPS.psd1')

        $outcomes = foreach ($i in 1..12) {
            try {
                Invoke-Sandboxed -Ruleset $Rs { 'ran' } -ErrorAction Stop -WarningAction SilentlyContinue
            } catch {
                $_.FullyQualifiedErrorId
            }
            if ($i % 6 -eq 0) {
                $s = New-LandlockSession -Ruleset $Rs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
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
            Invoke-Sandboxed -Ruleset $Rs { (Get-Item ~/.cache/powershell/StartupProfileData-ServerMode -ErrorAction SilentlyContinue).Length } -WarningAction SilentlyContinue
            Start-Sleep 2
        }
        $sizes | ForEach-Object { $_ | Should -BeLessOrEqual 16MB }
        # The twin: a profile that stays small is copied whole.
        Set-Content $GrowStop 'stop'
        $GrowJob | Wait-Job -Timeout 30 | Receive-Job | Should -BeGreaterThan 0
        Invoke-Sandboxed -Ruleset $Rs { (Get-Item ~/.cache/powershell/StartupProfileData-ServerMode).Length } -WarningAction SilentlyContinue | Should -Be 4KB
    }
}

# A sandbox that may write where another child's home is can put a module first on that child's
# PSModulePath (or in its user module folder, which pwsh always searches): it runs in the other
# sandbox, with that sandbox's rights (its network, its secrets). Homes are therefore made in the
# login session's private runtime folder when there is one, which sandboxes are rarely given, and a
# launch that may write where the homes are says so.
Describe 'Another sandbox''s home' {
    BeforeAll {
        # A login session's runtime folder (/run/user/<uid>): this user's alone.
        $script:Runtime = (New-Item -ItemType Directory (Join-Path $Root 'run')).FullName
        & chmod 700 $Runtime
        # Plants a module named like PowerShell's own in every home it can list, until told to stop.
        $script:Plant = {
            param($Homes, $Stop)
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            $planted = 0
            while ([DateTime]::UtcNow -lt $deadline -and -not [IO.File]::Exists($Stop)) {
                try { $found = [IO.Directory]::GetDirectories($Homes, 'landlockps-home-*') } catch { $found = @() }
                foreach ($h in $found) {
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
        function script:Invoke-Victims([string] $Homes, $AttackerRuleset) {
            $stop = Join-Path $Temp "stop-plant-$([guid]::NewGuid().ToString('n'))"
            $attacker = New-LandlockSession -Ruleset $AttackerRuleset -WarningAction SilentlyContinue
            try {
                $job = Invoke-Command -Session $attacker -AsJob -ArgumentList $Homes, $stop $Plant
                $seen = foreach ($i in 1..2) {
                    Invoke-Sandboxed -Ruleset (New-LandlockRuleset -Abi 7) { [Threading.Thread]::Sleep(2000); ConvertTo-Json 1 }
                }
                Set-Content $stop 'stop'
                [pscustomobject]@{ Seen = $seen; Planted = $job | Wait-Job | Receive-Job }
            }
            finally {
                Remove-PSSession $attacker
            }
        }
    }
    BeforeEach {
        $env:XDG_RUNTIME_DIR = $Runtime
    }
    AfterEach {
        $env:XDG_RUNTIME_DIR = $null
    }

    It 'is made in the session''s runtime folder, out of reach of a sandbox that may write the temp folder' {
        $homes = Get-HomeRoot
        $outcome = Invoke-Victims $homes $Rs
        $outcome.Seen | Should -Be 1, 1
        $outcome.Planted | Should -Be 0
        $homes | Should -Be (Join-Path $Runtime 'landlockps')
        (Get-Item $homes).UnixMode | Should -Be 'drwx------'
    }

    It 'is reached by a sandbox that may write the runtime folder (the twin), and its launch says so' {
        $homes = Get-HomeRoot
        $reaching = $Rs.Clone() | Add-LandlockPathRule -Path $Runtime -Access ReadWrite -PassThru
        Invoke-Sandboxed -Ruleset $reaching { 1 } -WarningVariable warned -WarningAction SilentlyContinue | Should -Be 1
        "$warned" | Should -Match ([regex]::Escape($homes))
        $outcome = Invoke-Victims $homes $reaching
        $outcome.Planted | Should -BeGreaterThan 0 -Because 'the attack must work where the rules let it'
        $outcome.Seen | Should -Contain 'hijacked'
    }

    It 'says so for a program too, and not for a launch that cannot write there' {
        $env:XDG_RUNTIME_DIR = $null
        # Without a runtime folder the homes are in the temp folder, which $Rs may write.
        $homes = Get-HomeRoot
        $writer = New-SystemRuleset | Add-LandlockPathRule -Path $Temp -Access ReadWrite -PassThru
        $null = Invoke-Sandboxed -Ruleset $writer /bin/true -WarningVariable warned -WarningAction SilentlyContinue
        "$warned" | Should -Match ([regex]::Escape($homes))
        $null = Invoke-Sandboxed -Ruleset (New-LandlockRuleset -Abi 7) { 1 } -WarningVariable quiet -WarningAction SilentlyContinue
        $quiet | Should -BeNullOrEmpty
    }
}

# The sweep of abandoned homes removes only what it can prove a LandlockPS made (that it removes
# those: New-LandlockSession.Tests.ps1). A sandbox that may make, rename and remove folders where
# homes are made, but not make or remove files, renames a folder of the caller's to a dead
# process's home name: the next caller's sweep must leave it.
Describe 'The sweep of abandoned homes' {
    It 'removes nothing a sandbox renamed to look like a home' {
        $data = New-Item -ItemType Directory (Join-Path $Temp 'data')
        Set-Content (Join-Path $data 'important.txt') 'keep me'
        $fake = Join-Path $HomeRoot 'landlockps-home-999999-0123456789abcdef'
        $rs = New-LandlockRuleset -Abi 7 -HandledAccessFs ReadDir, RemoveFile, RemoveDir, MakeDir, MakeReg, Refer |
            Add-LandlockPathRule -Path $Temp -Access ReadDir, MakeDir, RemoveDir, Refer -PassThru |
            Add-LandlockPathRule -Path /usr, /lib, /lib64, /bin -Access ReadDir -IgnoreMissing -PassThru
        Invoke-Sandboxed -Ruleset $rs rm -ArgumentList (Join-Path $data 'important.txt') -StandardError Output | Should -Match 'Permission denied'
        Invoke-Sandboxed -Ruleset $rs mv -ArgumentList $data, $fake -WarningAction SilentlyContinue
        Test-Path $fake | Should -BeTrue
        & (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -Command "Import-Module '$RepoRoot/LandlockPS.psd1'; Invoke-Sandboxed -Ruleset (New-LandlockRuleset -Abi 7) { 1 }" | Should -Be 1
        Get-Content (Join-Path $fake 'important.txt') | Should -Be 'keep me'
    }

    # Where the process group holds a run, a process that left the group outlives it (documented),
    # and may write its home while the caller removes it: the home is then left, but must stay the
    # sweep's to take once that process and its maker are gone.
    It 'takes a home a process that outlived its run kept writing to while it was removed' {
        $pwsh = Join-Path $PSHOME pwsh
        # It prints its pid once it has left (the command substitution ends when it lets go of the pipe).
        $writer = 'pid=$( setsid sh -c ''echo $$; exec >/dev/null; i=0; while :; do i=$(( (i + 1) % 512 )); : > "$HOME/f$i"; done'' </dev/null 2>/dev/null & ); echo $pid'
        $maker = "`$env:LANDLOCKPS_TEST_NO_CGROUP = '1'; Import-Module '$RepoRoot/LandlockPS.psd1'; " +
            "`$rs = New-LandlockRuleset -Abi 7 | Add-LandlockPathRule -Path /usr, /bin, /lib, /lib64, /etc -Access ReadExecute -IgnoreMissing -PassThru; " +
            "Invoke-Sandboxed -Ruleset `$rs { `$HOME; sh -c '$($writer -replace "'", "''")'; Start-Sleep -Milliseconds 300 }"
        $scratch, $escapee = & $pwsh -NoProfile -NonInteractive -Command $maker
        try {
            $scratch | Should -BeLike "$HomeRoot/landlockps-home-*"
            if (-not (Test-Path $scratch)) {
                Set-ItResult -Inconclusive -Because 'the writer lost the race: the home was removed whole, so there was nothing left to sweep'
                return
            }
        }
        finally { Stop-Process -Id $escapee -Force -ErrorAction Ignore }
        Test-ProcessAlive $escapee | Should -BeFalse
        & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$RepoRoot/LandlockPS.psd1'; Invoke-Sandboxed -Ruleset (New-LandlockRuleset -Abi 7) { 1 }" | Should -Be 1
        Test-Path $scratch | Should -BeFalse
    }
}

Describe 'A home''s removal by its caller' {
    # The mark is in the home, which the sandbox may write: it can remove the mark, or put a folder
    # of its own in its place. Its home must still go with its run (the caller knows it by the
    # descriptor it made it with, not by the mark), and take with it whatever the sandbox put there.
    It 'removes a home whose sandbox <What>, with its run' -TestCases @(
        @{ What = 'removed the mark'; Script = { Remove-Item -Force (Join-Path $HOME .landlockps-home) } }
        @{ What = 'swapped the mark for a folder of its own'; Script = {
                $mark = Join-Path $HOME .landlockps-home
                Remove-Item -Force $mark
                New-Item -ItemType Directory $mark | Out-Null
                Set-Content (Join-Path $mark 'kept.txt') 'left behind'
            }
        }
        # Deeper than the remover goes in one descent (it bounds the descriptors it holds).
        @{ What = 'nested 150 folders in it'; Script = { sh -c 'cd "$HOME"; i=0; while [ $i -lt 150 ]; do mkdir d; cd d; i=$((i+1)); done; echo deep > f' } }
        @{ What = 'left the mark alone (the twin)'; Script = { Set-Content (Join-Path $HOME 'work.txt') 'done' } }
    ) {
        $rs = New-LandlockRuleset -Abi 7 | Add-LandlockPathRule -Path /usr, /bin, /lib, /lib64, /etc -Access ReadExecute -IgnoreMissing -PassThru
        $scratch = Invoke-Sandboxed -Ruleset $rs ([scriptblock]::Create("`$HOME; $Script"))
        try {
            $scratch | Should -BeLike "$HomeRoot/landlockps-home-*"
            Test-Path $scratch | Should -BeFalse
        }
        finally { if ($scratch -like "$HomeRoot/landlockps-home-*") { Remove-Item $scratch -Recurse -Force -ErrorAction Ignore } }
    }
}
