# What a sandboxed child sends back — protocol lines, objects, program output, host calls — must
# never stall the caller, fill its memory, read its terminal or act on it.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Rs = New-LandlockRuleset -Abi ([Math]::Min(7, [int](Get-LandlockAbi).EffectiveAbi))
    $script:System = New-SystemRuleset
    $script:SessionGuid = '00000000-0000-0000-0000-000000000000'
    # A fragment whose header is well formed but whose object is not CLIXML.
    $bytes = [byte[]](@(0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 5) + [Text.Encoding]::UTF8.GetBytes('hello'))
    $script:Unreadable = [Convert]::ToBase64String($bytes)

    # Runs a block that writes $Line on the child's real stdout, then would run for an hour, in a
    # thread job: a call that hangs is found by the wait, never by a timing assertion.
    function Invoke-Forged([string] $Line, [scriptblock] $Call) {
        $job = Start-ThreadJob -ScriptBlock $Call -ArgumentList $Line, $Rs, "$PSScriptRoot/../LandlockPS.psd1"
        if (-not (Wait-Job $job -Timeout 60)) {
            Stop-Job $job
            throw "The call was still running a minute after the child broke the protocol."
        }
        $job | Receive-Job -ErrorAction SilentlyContinue -ErrorVariable errors
        Remove-Job $job
        $script:ForgedErrors = $errors
    }

    $script:ForgeInBlock = {
        param($Line, $Rs, $Module)
        Import-Module $Module
        Invoke-Sandboxed -Ruleset $Rs -TimeoutSec 600 {
            'before'
            $out = [Console]::OpenStandardOutput()
            $bytes = [Text.Encoding]::UTF8.GetBytes($args[0] + "`n")
            $out.Write($bytes, 0, $bytes.Length)
            $out.Flush()
            Start-Sleep 3600
            'after'
        } -ArgumentList $Line
    }
}

AfterAll {
    Get-PSSession | Where-Object ComputerName -eq landlock | Remove-PSSession
}

Describe 'A broken or hostile protocol line' {
    It 'ends the call at once with <Id>, keeping the output received before: <Name>' -TestCases @(
        @{ Name = 'a Close the client never receives'; Line = "<Close PSGuid='00000000-0000-0000-0000-000000000000' />"; Id = 'SandboxProtocolViolation' }
        @{ Name = 'a Signal'; Line = "<Signal PSGuid='00000000-0000-0000-0000-000000000000' />"; Id = 'SandboxProtocolViolation' }
        @{ Name = 'a forged CloseAck'; Line = "<CloseAck PSGuid='00000000-0000-0000-0000-000000000000' />"; Id = 'SandboxProtocolViolation' }
        @{ Name = 'a Data packet that is not base64'; Line = "<Data Stream='Default' PSGuid='00000000-0000-0000-0000-000000000000'>garbage</Data>"; Id = 'SandboxProtocolViolation' }
        @{ Name = 'an unknown element'; Line = '<Bogus/>'; Id = 'SandboxProtocolViolation' }
        @{ Name = 'a fragment that is not an object'; Line = 'UNREADABLE'; Id = 'SandboxProtocolViolation' }
    ) {
        $line = $Line -replace 'UNREADABLE', "<Data Stream='Default' PSGuid='$SessionGuid'>$Unreadable</Data>"
        $out = Invoke-Forged $line $ForgeInBlock
        $out | Should -Be 'before'
        $ForgedErrors.FullyQualifiedErrorId | Should -Be "$Id,LandlockPS.Commands.InvokeSandboxedCommand"
        $ForgedErrors[0].CategoryInfo.Category | Should -Be 'ProtocolError'
    }

    It 'ends a line that never ends' {
        $out = Invoke-Forged 'unused' {
            param($Line, $Rs, $Module)
            Import-Module $Module
            Invoke-Sandboxed -Ruleset $Rs {
                'before'
                $out = [Console]::OpenStandardOutput()
                $chunk = [byte[]]::new(1MB)
                [Array]::Fill($chunk, [byte][char]'<')
                for ($i = 0; $i -lt 64; $i++) { $out.Write($chunk, 0, $chunk.Length) }
                'after'
            }
        }
        $out | Should -Be 'before'
        $ForgedErrors.FullyQualifiedErrorId | Should -Be 'SandboxProtocolViolation,LandlockPS.Commands.InvokeSandboxedCommand'
    }

    It 'breaks a session at once, and the session says so' {
        $s = New-LandlockSession -Ruleset $Rs
        $childPid = Invoke-Command -Session $s { $PID }
        $job = Start-ThreadJob -ScriptBlock {
            param($s, $line)
            Invoke-Command -Session $s {
                param($line)
                $out = [Console]::OpenStandardOutput()
                $bytes = [Text.Encoding]::UTF8.GetBytes($line + "`n")
                $out.Write($bytes, 0, $bytes.Length)
                Start-Sleep 3600
            } -ArgumentList $line
        } -ArgumentList $s, '<Bogus/>'
        Wait-Job $job -Timeout 60 | Should -Not -BeNullOrEmpty -Because 'the call must not hang'
        $job | Receive-Job -ErrorAction SilentlyContinue -ErrorVariable errors
        ($errors | Out-String) | Should -Match 'not PowerShell remoting protocol'
        $s.State | Should -Be 'Broken'
        Test-ProcessAlive $childPid | Should -BeFalse
    }

    It 'leaves an ordinary session working (the allowed twin)' {
        $s = New-LandlockSession -Ruleset $Rs
        1..3 | ForEach-Object { Invoke-Command -Session $s { 1 + 1 } } | Should -Be 2, 2, 2
        $s.State | Should -Be 'Opened'
        Remove-PSSession $s
    }
}

Describe 'Memory a child can make the caller spend' {
    BeforeEach {
        # Reset the peak resident set of this pwsh, so VmHWM shows what the call itself cost.
        [IO.File]::WriteAllText("/proc/$PID/clear_refs", '5')
    }

    It 'refuses an object over the limit, keeps what came before, and the twin under it passes' {
        $out = Invoke-Sandboxed -Ruleset $Rs { 'before'; 'x' * 20MB } -MaximumReceivedObjectSize 10MB -ErrorVariable ev -ErrorAction SilentlyContinue
        $out | Should -Be 'before'
        $ev.FullyQualifiedErrorId | Should -Be 'ReceivedObjectTooLarge,LandlockPS.Commands.InvokeSandboxedCommand'
        $ev[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $ev[0].Exception.Message | Should -Match '-MaximumReceivedObjectSize'
        (Invoke-Sandboxed -Ruleset $Rs { 'x' * 2MB } -MaximumReceivedObjectSize 10MB).Length | Should -Be 2MB
    }

    It 'bounds a huge object by default, at PowerShell''s own 200 MB' {
        $before = (Get-Process -Id $PID).WorkingSet64
        $out = Invoke-Sandboxed -Ruleset $Rs { 'x' * 300000000 } -ErrorVariable ev -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $ev.FullyQualifiedErrorId | Should -Be 'ReceivedObjectTooLarge,LandlockPS.Commands.InvokeSandboxedCommand'
        $peak = [long]((Get-Content /proc/$PID/status | Select-String '^VmHWM:\s+(\d+)').Matches.Groups[1].Value) * 1KB
        # Unbounded, this string cost the caller about 2 GB.
        ($peak - $before) | Should -BeLessThan 1GB
    }

    It 'limits what one command sends in all' {
        $out = Invoke-Sandboxed -Ruleset $Rs { 1..200 | ForEach-Object { 'y' * 100KB } } -MaximumReceivedDataSizePerCommand 5MB -ErrorVariable ev -ErrorAction SilentlyContinue
        @($out).Count | Should -BeGreaterThan 0
        @($out).Count | Should -BeLessThan 200
        $ev.FullyQualifiedErrorId | Should -Be 'ReceivedDataTooLarge,LandlockPS.Commands.InvokeSandboxedCommand'
    }

    It 'applies the same limits to a session' {
        $s = New-LandlockSession -Ruleset $Rs -MaximumReceivedObjectSize 1MB
        Invoke-Command -Session $s { 'x' * 2MB } -ErrorAction SilentlyContinue -ErrorVariable ev
        ($ev | Out-String) | Should -Match 'MaximumReceivedObjectSize'
        $s.State | Should -Be 'Broken'
    }

    It 'cuts a program''s endless line into pieces, with one warning, and keeps every character' {
        $rs = $System.Clone() | Add-LandlockPathRule -Path /dev/zero -Access ReadFile -PassThru
        $lines = Invoke-Sandboxed -Ruleset $rs sh -ArgumentList '-c', 'head -c 5000 /dev/zero | tr "\0" x; echo; echo short' -MaximumLineLength 1000 -WarningVariable wv
        $lines | Should -HaveCount 6
        ($lines[0..4] -join '') | Should -Be ('x' * 5000)
        $lines[5] | Should -Be 'short'
        $wv | Should -HaveCount 1
        "$wv" | Should -Match '-MaximumLineLength'
    }

    It 'bounds a 1 GB line without a newline by default' {
        $rs = $System.Clone() | Add-LandlockPathRule -Path /dev/zero -Access ReadFile -PassThru
        $before = (Get-Process -Id $PID).WorkingSet64
        $count = 0
        Invoke-Sandboxed -Ruleset $rs head -ArgumentList '-c', 1GB, '/dev/zero' -WarningAction SilentlyContinue | ForEach-Object { $count++ }
        $count | Should -Be 64
        $peak = [long]((Get-Content /proc/$PID/status | Select-String '^VmHWM:\s+(\d+)').Matches.Groups[1].Value) * 1KB
        ($peak - $before) | Should -BeLessThan 1GB
    }
}

Describe 'The host channel' {
    It 'refuses to read the caller''s terminal without -HostAccess Prompt: <Call>' -TestCases @(
        @{ Call = 'Read-Host'; Block = { Read-Host 'password' } }
        @{ Call = 'ReadKey'; Block = { $host.UI.RawUI.ReadKey() } }
        @{ Call = 'PromptForCredential'; Block = { $host.UI.PromptForCredential('sudo', '[sudo] password for root:', 'root', '') } }
        @{ Call = 'PromptForChoice'; Block = { $host.UI.PromptForChoice('Continue?', '', [System.Management.Automation.Host.ChoiceDescription[]]@('&Yes', '&No'), 0) } }
    ) {
        $out = Invoke-Sandboxed -Ruleset $Rs $Block -ErrorVariable ev -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        ($ev | Out-String) | Should -Match '-HostAccess Prompt'
    }

    It 'keeps console changes from reaching the caller, and says so once' {
        $title = $Host.UI.RawUI.WindowTitle
        $colour = $Host.UI.RawUI.ForegroundColor
        $out = Invoke-Sandboxed -Ruleset $Rs {
            $host.UI.RawUI.WindowTitle = 'owned'
            $host.UI.RawUI.ForegroundColor = 'Magenta'
            'done'
        } 3>&1
        $Host.UI.RawUI.WindowTitle | Should -Be $title
        $Host.UI.RawUI.ForegroundColor | Should -Be $colour
        $out | Should -Contain 'done'
    }

    It 'neutralises control sequences in host text but keeps colours; output objects are untouched' {
        $e = [char]27
        $text = "clip$e]52;c;aGVsbG8=$([char]7) title$e]0;owned$([char]7) clear$e[2J $e[31mred$e[0m"
        $shown = Invoke-Sandboxed -Ruleset $Rs {
            param($text)
            Write-Host $text
            Write-Warning $text
            Write-Verbose $text
            Write-Error $text
        } -ArgumentList $text -Verbose -ErrorAction Continue 6>&1 3>&1 4>&1 2>&1 | ForEach-Object { "$_" } | Where-Object { $_ -like 'clip*' }
        $shown | Should -HaveCount 4
        foreach ($line in $shown) {
            $line | Should -Not -Match "$e\]"
            $line | Should -Not -Match "$e\[2J"
            $line | Should -Match ([regex]::Escape("$e[31mred$e[0m"))
            $line | Should -Match ([regex]::Escape("$([char]0x241b)]52;c;aGVsbG8="))
        }
        Invoke-Sandboxed -Ruleset $Rs { param($text) $text } -ArgumentList $text | Should -BeExactly $text
    }

    It 'neutralises a program''s standard error shown on the host' {
        $e = [char]27
        $info = Invoke-Sandboxed -Ruleset $System sh -ArgumentList '-c', 'printf "a\033]52;c;aGk=\007b\n" >&2' 6>&1
        "$info" | Should -Be "a$([char]0x241b)]52;c;aGk=$([char]0x2407)b"
    }
}
