# A library the caller loaded from a folder a sandbox may write becomes an implicit rule for every
# later script block. A sandbox that may write that folder swaps the library's name for a link, over
# and over (renameat2 RENAME_EXCHANGE): a rule built by path would follow the link, and the next
# block could read what the link points to.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Python = '/usr/bin/python3'
    $script:Abi = [LandlockPS.Core.Landlock.LandlockAbi][Math]::Min(7, [int](Get-LandlockAbi).EffectiveAbi)
    # Exchanges two names over and over (renameat2 RENAME_EXCHANGE) until a file named stop appears.
    $script:Swapper = Get-Content -Raw (Join-Path $PSScriptRoot 'fixtures/exchange-names.py')
}

Describe 'A loaded library''s rule' -Skip:(-not (Test-Path /usr/bin/python3)) {
    BeforeAll {
        $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "llps-libswap-$([guid]::NewGuid().ToString('n'))")).FullName
        $script:Folder = (New-Item -ItemType Directory (Join-Path $Root 'lib')).FullName
        $script:Library = Join-Path $Folder 'libswap.so'
        $source = Get-ChildItem /usr/lib/*/libz.so.1, /lib/*/libz.so.1 -ErrorAction Ignore | Select-Object -First 1 -ExpandProperty FullName
        Copy-Item $source $Library
        $script:Secret = Join-Path $Root 'secret.txt'
        Set-Content $Secret 'the secret'
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $Folder 'link') -Target $Secret
        $null = [Runtime.InteropServices.NativeLibrary]::Load($Library)

        # The attacker may write the library's folder and run python, nothing more.
        $attacker = New-SystemRuleset | Add-LandlockPathRule -Path $Folder -Access ReadWrite -PassThru
        $script:Stop = Join-Path $Folder 'stop'
        $script:Job = Start-ThreadJob -ArgumentList "$PSScriptRoot/../LandlockPS.psd1", $attacker, $Python, $Swapper, $Library, (Join-Path $Folder 'link'), $Stop {
            param($Module, $Rs, $Python, $Code, $A, $B, $Stop)
            Import-Module $Module
            Invoke-Sandboxed -Ruleset $Rs $Python -ArgumentList '-c', $Code, $A, $B, $Stop
        }
        $script:Victim = New-LandlockRuleset -Abi $Abi
    }

    AfterAll {
        Set-Content $Stop 'stop'
        $Job | Wait-Job -Timeout 30 | Receive-Job | Out-Null
        $Job | Remove-Job -Force
        [IO.Directory]::Delete($Root, $true)
    }

    It 'is built on the library itself, never on what a link swapped in for it points to' {
        # The control: a rule built by path on the swapping name does reach the secret.
        $byPath = New-SystemRuleset | Add-LandlockPathRule -Path $Library -Access ReadFile -PassThru
        $reached = $false
        for ($i = 0; $i -lt 300 -and -not $reached; $i++) {
            $reached = (Invoke-Sandboxed -Ruleset $byPath cat -ArgumentList $Secret 6>$null) -eq 'the secret'
        }
        $reached | Should -BeTrue -Because 'the swap must be under way and reach a rule built by path'

        $read = foreach ($i in 1..8) {
            Invoke-Sandboxed -Ruleset $Victim { param($secret) Get-Content $secret -ErrorAction SilentlyContinue } -ArgumentList $Secret
        }
        $read | Should -BeNullOrEmpty
    }

    It 'still lets the child read the library (the allowed twin)' {
        Set-Content $Stop 'stop'
        $Job | Wait-Job -Timeout 30 | Out-Null
        Get-Item $Library | Should -Not -BeNullOrEmpty -Because 'the swap ends with the library at its name'
        if ((Get-Item $Library).LinkTarget) { [IO.File]::Move((Join-Path $Folder 'link'), "$Library.tmp"); [IO.File]::Move($Library, (Join-Path $Folder 'link')); [IO.File]::Move("$Library.tmp", $Library) }
        $size = Invoke-Sandboxed -Ruleset $Victim { param($library) [IO.File]::ReadAllBytes($library).Length } -ArgumentList $Library
        $size | Should -Be (Get-Item $Library).Length
    }
}

# -AllowDependencies builds its rules on the files themselves too. A program run from a folder a
# sandbox may write (a build output, say) could otherwise have its rule redirected the same way:
# swapped for a link to /, the program's rule (ReadFile and Execute) landed on the whole file system
# (found by a red team: 2 of 60 launches read the secret).
Describe 'A program''s dependency rules' -Skip:(-not (Test-Path /usr/bin/python3)) {
    It 'are built on the program itself, never on what a link swapped in for it points to' {
        $root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "llps-depswap-$([guid]::NewGuid().ToString('n'))")).FullName
        try {
            $folder = (New-Item -ItemType Directory (Join-Path $root 'bin')).FullName
            Copy-Item /usr/bin/cat (Join-Path $folder 'cat')
            $null = New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'link') -Target /
            $secret = Join-Path $root 'secret.txt'
            Set-Content $secret 'the secret'
            $attacker = New-SystemRuleset | Add-LandlockPathRule -Path $folder -Access ReadWrite -PassThru
            $job = Start-ThreadJob -ArgumentList "$PSScriptRoot/../LandlockPS.psd1", $attacker, $Python, $Swapper, (Join-Path $folder 'cat'), (Join-Path $folder 'link'), (Join-Path $folder 'stop') {
                param($Module, $Rs, $Python, $Code, $A, $B, $Stop)
                Import-Module $Module
                Invoke-Sandboxed -Ruleset $Rs $Python -ArgumentList '-c', $Code, $A, $B, $Stop
            }
            $read = foreach ($i in 1..60) {
                Invoke-Sandboxed -Ruleset (New-LandlockRuleset -Abi $Abi) -AllowDependencies (Join-Path $folder 'cat') -ArgumentList $secret -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 6>$null
            }
            Set-Content (Join-Path $folder 'stop') 'stop'
            $job | Wait-Job -Timeout 30 | Receive-Job | Should -BeGreaterThan 0
            $read | Should -Not -Contain 'the secret'

            # The twin: with the program back at its name, its held rules let it run and read what it may.
            $program = Join-Path $folder 'cat'
            if ((Get-Item $program).LinkTarget) { [IO.File]::Move((Join-Path $folder 'link'), "$program.tmp"); [IO.File]::Move($program, (Join-Path $folder 'link')); [IO.File]::Move("$program.tmp", $program) }
            $readable = Join-Path $root 'readable.txt'
            Set-Content $readable 'readable'
            $rs = New-LandlockRuleset -Abi $Abi | Add-LandlockPathRule -Path $readable -Access ReadFile -PassThru
            Invoke-Sandboxed -Ruleset $rs -AllowDependencies $program -ArgumentList $readable | Should -Be 'readable'
        }
        finally {
            Get-Job | Remove-Job -Force
            [IO.Directory]::Delete($root, $true)
        }
    }
}

# What a program names is no better than where it lies. A sandbox that may write the folder of a
# program swaps its #! interpreter for a link to a private tool: -AllowDependencies must not follow
# that link to allow the tool in the next run (found by a red team: the next run got Execute and
# ReadFile on it, visible only with -Verbose).
Describe 'A dependency named from a folder a sandbox may write' {
    BeforeAll {
        $script:Shared = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "llps-depname-$([guid]::NewGuid().ToString('n'))")).FullName
        # A private folder (0700) with a tool in it that prints the file it is given.
        $script:Private = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "llps-private-$([guid]::NewGuid().ToString('n'))")).FullName
        [IO.File]::SetUnixFileMode($Private, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        $script:PrivateTool = Join-Path $Private 'tool'
        Copy-Item /bin/cat $PrivateTool
        $script:PublicTool = Join-Path $Shared 'public-tool'
        Copy-Item /bin/cat $PublicTool
        $script:Program = Join-Path $Shared 'prog'
        $script:Interpreter = Join-Path $Shared 'interp'
        Set-Content $Program "#!$Interpreter"
        & chmod 755 $Program $PublicTool $PrivateTool

        # The attacker may write the shared folder, and run ln.
        $script:Attacker = New-SystemRuleset | Add-LandlockPathRule -Path $Shared -Access ReadWrite -PassThru
        $script:Plant = { param($target) Invoke-Sandboxed -Ruleset $Attacker ln -sfn $target $Interpreter }
        $script:Victim = New-LandlockRuleset -Abi $Abi
    }

    AfterAll {
        [IO.Directory]::Delete($Shared, $true)
        [IO.Directory]::Delete($Private, $true)
    }

    It 'gets no rule on a private tool a planted link leads to' {
        & $Plant $PrivateTool
        $LASTEXITCODE | Should -Be 0
        # Unconfined, the kernel follows the planted link: the private tool runs and prints the program.
        (& $Program) | Should -Be "#!$Interpreter"
        # Confined with a rule on the tool, it would run too: the rule is what the link was after.
        $granted = New-LandlockRuleset -Abi $Abi | Add-LandlockPathRule -Executable $PrivateTool -PassThru
        Invoke-Sandboxed -Ruleset $granted -AllowDependencies $Program -WarningAction SilentlyContinue | Should -Be "#!$Interpreter"

        $warnings = @(); $errors = @()
        $out = Invoke-Sandboxed -Ruleset $Victim -AllowDependencies $Program -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errors.FullyQualifiedErrorId | Should -Match '^ExecutableNotAllowed'
        $warnings.Message | Should -Match ([regex]::Escape("leads to $PrivateTool"))
    }

    It 'still follows a planted link to a tool every user may read (the allowed twin)' {
        & $Plant $PublicTool
        $warnings = @()
        $out = Invoke-Sandboxed -Ruleset $Victim -AllowDependencies $Program -WarningVariable warnings -WarningAction SilentlyContinue
        $out | Should -Be "#!$Interpreter"
        $warnings | Should -BeNullOrEmpty
    }
}
