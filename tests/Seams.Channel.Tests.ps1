# What a sandboxed child sends back — protocol lines, objects, program output, host calls — must
# never stall the caller, fill its memory, read its terminal or act on it.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Rs = New-LandlockRuleset -Abi ([Math]::Min(7, [int](Get-LandlockAbi).EffectiveAbi))
    $script:System = New-SystemRuleset
    $script:SessionGuid = '00000000-0000-0000-0000-000000000000'
    # A fragment whose headers (the fragment's, then the message's: to the client, a runspace pool's
    # state) are well formed but whose object is not CLIXML.
    $bytes = [byte[]](@(0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 45) + @(1, 0, 0, 0, 5, 0x10, 2, 0) + @(0) * 32 + [Text.Encoding]::UTF8.GetBytes('hello'))
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
        @{ Name = 'data on the prompt response stream, where the transport''s markers go'; Line = "<Data Stream='PromptResponse' PSGuid='00000000-0000-0000-0000-000000000000'>AAAA</Data>"; Id = 'SandboxProtocolViolation' }
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

    It 'quotes a few kilobytes of each line a child wrote outside the protocol, not megabytes' {
        Invoke-Sandboxed -Ruleset $Rs {
            $out = [Console]::OpenStandardOutput()
            $short = [Text.Encoding]::ASCII.GetBytes("short-line`n")
            $long = [Text.Encoding]::ASCII.GetBytes(('x' * 1000000) + "`n")
            for ($i = 0; $i -lt 19; $i++) { $out.Write($long, 0, $long.Length) }
            $out.Write($short, 0, $short.Length)
            $out.Flush()
            Start-Sleep 1
            [Environment]::Exit(3)
        } -ErrorVariable ev -ErrorAction SilentlyContinue
        $message = "$($ev[-1])"
        # The allowed twin: a short line is quoted whole.
        $message | Should -Match 'short-line'
        $message | Should -Match 'x{4000}'
        # Each line of a megabyte was quoted whole: a message of 19 MB.
        $message.Length | Should -BeLessThan 200KB
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
    It 'refuses to read the caller''s terminal without -HostAccess <Needed>: <Call>' -TestCases @(
        @{ Call = 'Read-Host'; Block = { Read-Host 'password' }; Needed = 'Prompt' }
        @{ Call = 'ReadKey'; Block = { $host.UI.RawUI.ReadKey() }; Needed = 'RawUI' }
        @{ Call = 'PromptForCredential'; Block = { $host.UI.PromptForCredential('sudo', '[sudo] password for root:', 'root', '') }; Needed = 'Prompt' }
        @{ Call = 'PromptForChoice'; Block = { $host.UI.PromptForChoice('Continue?', '', [System.Management.Automation.Host.ChoiceDescription[]]@('&Yes', '&No'), 0) }; Needed = 'Prompt' }
    ) {
        $out = Invoke-Sandboxed -Ruleset $Rs $Block -ErrorVariable ev -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        ($ev | Out-String) | Should -Match "-HostAccess $Needed"
    }

    It 'refuses, even with -HostAccess Prompt, a field name that would push the [sandbox] mark away: <Case>' -TestCases @(
        @{ Case = 'line ends'; Name = ("`n" * 60) + '[sudo] password for root' }
        @{ Case = 'a carriage return'; Name = "Name`r[sudo] password for root" }
        @{ Case = 'a tab'; Name = "Name`t`t`t`t[sudo] password"; Why = 'control characters' }
        @{ Case = 'a name wrapped over many rows'; Name = ('.' * 12000) + '[sudo] password for root'; Why = 'longer than your terminal' }
    ) {
        $out = Invoke-Sandboxed -Ruleset $Rs -HostAccess Prompt { param($name) try { Read-Host $name } catch { 'refused: ' + $_.Exception.Message } } -ArgumentList $Name
        $out | Should -Match "^refused: .*$($Why ?? 'control characters')"
    }

    It 'drops from a string the block outputs what would act beyond the console (the clipboard), and keeps colours and the rest' {
        $e = [char]27
        $out = Invoke-Sandboxed -Ruleset $Rs { param($e) "a$e]52;c;RVZJTA==$([char]7)b $e[31mred$e[0m"; [pscustomobject]@{ Kept = 'as data' } } -ArgumentList $e
        $out[0] | Should -Be "ab $e[31mred$e[0m"
        $out[1].Kept | Should -Be 'as data'
        # Split over strings (terminals skip the line end between them), or begun by a lone ESC character.
        $split = Invoke-Sandboxed -Ruleset $Rs { param($e) "x$e]5"; "2;c;RVZJTA==$([char]7)y"; [char]27; ']52;c;RVZJTA==' } -ArgumentList $e
        ($split -join '') | Should -Not -Match "$e"
        $split[0] | Should -Be 'x'
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

    It 'neutralises control sequences in host text but keeps colours; an output string loses only the clipboard command' {
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
        Invoke-Sandboxed -Ruleset $Rs { param($text) $text } -ArgumentList $text | Should -BeExactly ($text -replace "$e\]52;c;aGVsbG8=$([char]7)")
        (Invoke-Sandboxed -Ruleset $Rs { param($text) [pscustomobject]@{ Text = $text } } -ArgumentList $text).Text | Should -BeExactly $text
    }

    It 'takes Write-Host''s colours as sent, and never runs the caller''s type data on what the sandbox chose' {
        # The sandbox chooses its objects' type names; the caller's type data for them must not run.
        $name = "Chosen$([guid]::NewGuid().ToString('N'))"
        Update-TypeData -TypeName "Deserialized.$name" -MemberType ScriptMethod -MemberName ToString -Value { $global:LandlockPSChosenRan = $true; 'Red' } -Force
        try {
            $global:LandlockPSChosenRan = $false
            $records = Invoke-Sandboxed -Ruleset $Rs {
                param($name)
                $colour = [pscustomobject]@{ a = 1 }
                $colour.PSObject.TypeNames.Insert(0, $name)
                $message = [pscustomobject]@{ Message = 'chosen'; ForegroundColor = $colour; BackgroundColor = 'Blue'; NoNewLine = $colour }
                $message.PSObject.TypeNames.Insert(0, 'System.Management.Automation.HostInformationMessage')
                Write-Information $message
                Write-Host 'honest' -ForegroundColor Red -BackgroundColor Black -NoNewline
            } -ArgumentList $name 6>&1
            $global:LandlockPSChosenRan | Should -BeFalse
            $records | Should -HaveCount 2
            $chosen, $honest = $records.MessageData
            $chosen.Message | Should -Be 'chosen'
            $chosen.ForegroundColor | Should -BeNullOrEmpty
            $chosen.BackgroundColor | Should -Be ([ConsoleColor]::Blue)
            $chosen.NoNewLine | Should -BeFalse
            $honest.Message | Should -Be 'honest'
            $honest.ForegroundColor | Should -Be ([ConsoleColor]::Red)
            $honest.BackgroundColor | Should -Be ([ConsoleColor]::Black)
            $honest.NoNewLine | Should -BeTrue
        }
        finally {
            Remove-TypeData -TypeName "Deserialized.$name"
            Remove-Variable -Scope Global -Name LandlockPSChosenRan
        }
    }

    It 'reads Write-Host''s message as sent, never through the caller''s script properties for a type name the sandbox chose' {
        # Left out of what the sandbox sent, a property is looked for in the caller's type data for the names the sandbox chose.
        $name = "Chosen$([guid]::NewGuid().ToString('N'))"
        foreach ($property in 'Message', 'ForegroundColor', 'BackgroundColor', 'NoNewLine') {
            Update-TypeData -TypeName "Deserialized.$name" -MemberType ScriptProperty -MemberName $property -Value { $global:LandlockPSChosenRan = $true; 'Red' } -Force
        }
        try {
            $global:LandlockPSChosenRan = $false
            $records = Invoke-Sandboxed -Ruleset $Rs {
                param($name)
                $message = [pscustomobject]@{ a = 1 }
                $message.PSObject.TypeNames.Insert(0, 'System.Management.Automation.HostInformationMessage')
                $message.PSObject.TypeNames.Insert(0, $name)
                Write-Information $message
            } -ArgumentList $name 6>&1
            $global:LandlockPSChosenRan | Should -BeFalse
            $records.MessageData.Message | Should -BeExactly ''
            $records.MessageData.ForegroundColor | Should -BeNullOrEmpty
        }
        finally {
            Remove-TypeData -TypeName "Deserialized.$name"
            Remove-Variable -Scope Global -Name LandlockPSChosenRan
        }
    }

    It 'shows a traced block''s output as the text it came with, never through the caller''s type data for a type name the sandbox chose' {
        $name = "Chosen$([guid]::NewGuid().ToString('N'))"
        Update-TypeData -TypeName "Deserialized.$name" -MemberType ScriptMethod -MemberName ToString -Value { $global:LandlockPSChosenRan = $true; 'chosen' } -Force
        try {
            $global:LandlockPSChosenRan = $false
            $shown = Trace-LandlockAccess { param($name) [pscustomobject]@{ PSTypeName = $name; a = 1 } } -ArgumentList $name 6>&1 |
                Where-Object { $_.Tags -contains 'Output' }
            $global:LandlockPSChosenRan | Should -BeFalse
            $shown.MessageData.Message | Should -Be '@{a=1}'
        }
        finally {
            Remove-TypeData -TypeName "Deserialized.$name"
            Remove-Variable -Scope Global -Name LandlockPSChosenRan
        }
    }

    It 'never runs the caller''s type data on the target of an error the sandbox chose' {
        # A target whose text is empty comes with no target name: reading the name would ask the
        # target for its text, in the caller, through the caller's type data for the name the sandbox chose.
        $name = "Chosen$([guid]::NewGuid().ToString('N'))"
        Update-TypeData -TypeName "Deserialized.$name" -MemberType ScriptMethod -MemberName ToString -Value { $global:LandlockPSChosenRan = $true; 'chosen' } -Force
        try {
            $global:LandlockPSChosenRan = $false
            $block = {
                param($name)
                Write-Error 'honest' -CategoryTargetName 'named'
                Write-Error 'chosen' -TargetObject ([pscustomobject]@{ PSTypeName = $name })
            }
            Invoke-Sandboxed -Ruleset $Rs $block -ArgumentList $name -ErrorAction SilentlyContinue -ErrorVariable ev
            $global:LandlockPSChosenRan | Should -BeFalse
            $ev | Should -HaveCount 2
            $ev[0].CategoryInfo.TargetName | Should -Be 'named'
            $ev[1].TargetObject.PSObject.TypeNames[0] | Should -Be "Deserialized.$name"
        }
        finally {
            Remove-TypeData -TypeName "Deserialized.$name"
            Remove-Variable -Scope Global -Name LandlockPSChosenRan
        }
    }

    It 'neutralises a program''s standard error shown on the host' {
        $e = [char]27
        $info = Invoke-Sandboxed -Ruleset $System sh -ArgumentList '-c', 'printf "a\033]52;c;aGk=\007b\n" >&2' 6>&1
        "$info" | Should -Be "a$([char]0x241b)]52;c;aGk=$([char]0x2407)b"
    }
}

Describe 'Data for commands the caller never started' {
    It 'costs the caller nothing, however much of it comes: <Name>' -TestCases @(
        @{ Name = 'each for a new command'; Fresh = $true }
        @{ Name = 'the allowed twin, all for one command'; Fresh = $false }
    ) {
        # PowerShell drops data for a command it does not know; LandlockPS must not keep account of it either.
        $s = New-LandlockSession -Ruleset $Rs
        [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        $before = [GC]::GetTotalMemory($true)
        $written = Invoke-Command -Session $s -ArgumentList $Unreadable, $Fresh {
            param($fragment, $fresh)
            $out = [Console]::OpenStandardOutput()
            $one = [guid]::NewGuid().ToString()
            $total = 0
            for ($chunk = 0; $chunk -lt 40; $chunk++) {
                $lines = [Text.StringBuilder]::new()
                for ($i = 0; $i -lt 25000; $i++) {
                    $guid = if ($fresh) { [guid]::NewGuid().ToString() } else { $one }
                    $null = $lines.Append("<Data Stream='Default' PSGuid='$guid'>$fragment</Data>`n")
                }
                $bytes = [Text.Encoding]::ASCII.GetBytes($lines.ToString())
                $out.Write($bytes, 0, $bytes.Length)
                $total += $bytes.Length
            }
            $out.Flush()
            $total
        }
        Invoke-Command -Session $s { 'still working' } | Should -Be 'still working'
        [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        $grown = [GC]::GetTotalMemory($true) - $before
        Remove-PSSession $s
        $written | Should -BeGreaterThan 100MB
        # A million forged lines were kept as about 130 MB of accounts.
        $grown | Should -BeLessThan 32MB
    }
}

# What a sandbox allowed to prompt (-HostAccess Prompt) puts in its prompts reaches the caller's
# terminal: the mark must stay visible and no control sequence but colours may act.
Describe 'A prompt a sandbox may show' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) {
    BeforeAll {
        $script:Tmux = Start-Terminal "llps-prompt-$PID"
        Wait-TerminalText $Tmux '(?m)^PS .*>' | Out-Null
        Send-TerminalLine $Tmux "Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'; `$rs = New-LandlockRuleset -Abi V7; 'imported' + '-ok'"
        Wait-TerminalText $Tmux 'imported-ok' | Out-Null
        function script:Title { & tmux display -p -t $Tmux '#{pane_title}' }
        function script:Screen([switch] $Escapes) { (& tmux capture-pane -t $Tmux -p -S -200 @(if ($Escapes) { '-e' })) -join "`n" }
    }
    AfterAll {
        & tmux kill-session -t $Tmux 2>$null
    }

    It 'keeps control sequences in a Read-Host prompt''s text from the terminal' {
        Send-TerminalLine $Tmux "Invoke-Sandboxed -Ruleset `$rs -HostAccess Prompt { Read-Host -Prompt `"``e]0;owned-field``a``e[1A``e[2Kpassword`" }; 'field' + '-done'"
        $screen = Wait-TerminalText $Tmux '(?m)password: *$|field-done'
        if ($screen -notmatch 'field-done') {
            Send-TerminalLine $Tmux 'typed'
            Wait-TerminalText $Tmux 'field-done' | Out-Null
        }
        Title | Should -Not -Be 'owned-field'
        Screen | Should -Not -Match '(?m)^password:'
    }

    It 'keeps its mark visible and control sequences out of captions and choices' {
        Send-TerminalLine $Tmux ("Invoke-Sandboxed -Ruleset `$rs -HostAccess Prompt { Write-Host -NoNewline `"``e[8m``e[107m`"; " +
            "`$host.UI.PromptForChoice(`"``r[sudo] cap`", 'msg', [System.Management.Automation.Host.ChoiceDescription[]]@(`"&Yes``e]0;owned-choice``a`"), 0) }; 'choice' + '-done'")
        Wait-TerminalText $Tmux '\(default is "Y"\)' | Out-Null
        Send-TerminalLine $Tmux ''
        Wait-TerminalText $Tmux 'choice-done' | Out-Null
        Title | Should -Not -Be 'owned-choice'
        $line = (Screen) -split "`n" | Where-Object { $_ -match 'cap$' } | Select-Object -Last 1
        $line | Should -Match '^\[sandbox\] '
        # Whatever the sandbox set before the prompt (concealed text, a white background), the mark is shown plainly.
        $marked = (Screen -Escapes) -split "`n" | Where-Object { $_ -match '\[sandbox\] .*cap' } | Select-Object -Last 1
        $marked.Substring(0, $marked.IndexOf('[sandbox]')) | Should -Not -Match '\e\[[0-9;]*(8|107)m'
    }

    # Line ends, or a long line the terminal wraps, in a prompt's message pushed the mark off the
    # screen, and left a bare "Password:" in sight.
    It 'keeps its mark on the screen above a message of <Name>' -TestCases @(
        @{ Name = 'many line ends'; Message = '("`n" * 80) + "Enter your password"' }
        @{ Name = 'one long line'; Message = '("word " * 3000) + "Enter your password"' }
    ) {
        Send-TerminalLine $Tmux 'Clear-Host'
        Start-Sleep -Milliseconds 500
        & tmux clear-history -t $Tmux
        Send-TerminalLine $Tmux ("Invoke-Sandboxed -Ruleset `$rs -HostAccess Prompt { `$f = [System.Management.Automation.Host.FieldDescription]::new('Password'); " +
            "'typed ' + `$host.UI.Prompt('', $Message, [System.Collections.ObjectModel.Collection[System.Management.Automation.Host.FieldDescription]]@(`$f)).Password }; 'long' + '-done'")
        Wait-TerminalText $Tmux '(?m)^Password: *$' | Out-Null
        Start-Sleep 1
        (& tmux capture-pane -t $Tmux -p) -join "`n" | Should -Match '(?m)^\[sandbox\]'
        Send-TerminalLine $Tmux 'zebra'
        Wait-TerminalText $Tmux 'long-done' | Should -Match '(?m)^typed zebra'
    }

    It 'keeps a short message''s lines whole (the allowed twin)' {
        Send-TerminalLine $Tmux ("Invoke-Sandboxed -Ruleset `$rs -HostAccess Prompt { `$f = [System.Management.Automation.Host.FieldDescription]::new('Word'); " +
            "'typed ' + `$host.UI.Prompt('', `"first line``nsecond line`", [System.Collections.ObjectModel.Collection[System.Management.Automation.Host.FieldDescription]]@(`$f)).Word }; 'short' + '-done'")
        $screen = Wait-TerminalText $Tmux '(?m)^Word: *$'
        $screen | Should -Match '(?m)^first line\n^second line$'
        Send-TerminalLine $Tmux 'kiwi'
        Wait-TerminalText $Tmux 'short-done' | Should -Match '(?m)^typed kiwi'
    }

    # A key read gives no line to mark: a sandbox allowed to prompt could show its own "[sudo]
    # password" line and collect the answer key by key. Reading keys is the console's (RawUI), not a prompt.
    It 'reads no keys for a sandbox that may only prompt' {
        Send-TerminalLine $Tmux "Invoke-Sandboxed -Ruleset `$rs -HostAccess Prompt { Write-Host -NoNewline 'Secret: '; try { 'key ' + `$host.UI.RawUI.ReadKey('NoEcho,IncludeKeyDown').Character } catch { 'refused, needs RawUI: ' + (`"`$_`" -match 'HostAccess RawUI') } }; 'keys' + '-done'"
        Wait-TerminalText $Tmux 'keys-done|(?m)^Secret:' | Out-Null
        Start-Sleep 1
        if ((Screen) -notmatch 'keys-done') { & tmux send-keys -t $Tmux -l 'q' }
        $screen = Wait-TerminalText $Tmux 'keys-done'
        $screen | Should -Not -Match 'key q'
        $screen | Should -Match 'refused, needs RawUI: True'
    }

    It 'reads keys for a sandbox given the console (the allowed twin)' {
        Send-TerminalLine $Tmux "Invoke-Sandboxed -Ruleset `$rs -HostAccess RawUI { 'key ' + `$host.UI.RawUI.ReadKey('NoEcho,IncludeKeyDown').Character + '-read' }; 'raw' + '-done'"
        Wait-TerminalText $Tmux 'HostAccess RawUI' | Out-Null
        # A key typed before the block reads it waits in the terminal for it.
        Start-Sleep 2
        & tmux send-keys -t $Tmux -l 'w'
        Wait-TerminalText $Tmux 'raw-done' | Should -Match 'key w-read'
    }
}

# Records and errors carry a sandbox's text to the caller's terminal as well as host calls do.
Describe 'A sandbox''s text in records and errors' {
    BeforeAll {
        $script:E = [char]27
        $script:Osc = "$E]0;owned$([char]7)"
        $script:Shown = "$([char]0x241b)]0;owned$([char]0x2407)"
    }

    It 'neutralises an information record whose message is an object' {
        $info = Invoke-Sandboxed -Ruleset $Rs { param($t) Write-Information -MessageData ([pscustomobject]@{ a = $t }) } -ArgumentList $Osc -InformationAction Continue 6>&1
        "$info" | Should -Be "@{a=$Shown}"
    }

    It 'neutralises a program''s standard error written as errors' {
        $err = Invoke-Sandboxed -Ruleset $System sh -ArgumentList '-c', 'printf "a\033]0;owned\007b\n" >&2' -StandardError Error -ErrorAction Continue 2>&1
        "$err" | Should -Be "a$($Shown)b"
    }

    It 'neutralises the line a child broke the protocol with, quoted in the error' {
        $null = Invoke-Forged "<Data $Osc>" $ForgeInBlock
        $ForgedErrors[0].FullyQualifiedErrorId | Should -BeLike 'SandboxProtocolViolation*'
        "$($ForgedErrors[0])" | Should -Match ([regex]::Escape($Shown))
    }

    It 'neutralises what a session''s child wrote before it died, quoted in the error' {
        $s = New-LandlockSession -Ruleset $Rs
        Invoke-Command -Session $s -ArgumentList $Osc {
            param($t)
            $out = [Console]::OpenStandardOutput()
            $bytes = [Text.Encoding]::UTF8.GetBytes("$t tail`n")
            $out.Write($bytes, 0, $bytes.Length)
            $out.Flush()
            Start-Sleep 1
            [Environment]::Exit(3)
        } -ErrorAction SilentlyContinue -ErrorVariable ev
        Remove-PSSession $s
        ($ev | Out-String) | Should -Match ([regex]::Escape("$Shown tail"))
    }

    It 'neutralises the category and the error id a block gives its error' {
        $err = Invoke-Sandboxed -Ruleset $Rs {
            param($t)
            Write-Error 'boom' -CategoryActivity "act$t" -CategoryReason "why$t" -CategoryTargetName "name$t" -CategoryTargetType "type$t" -ErrorId "id$t"
        } -ArgumentList $Osc -ErrorAction Continue 2>&1
        $err.CategoryInfo.ToString() | Should -Not -Match "$E"
        $err.CategoryInfo.ToString() | Should -Match ([regex]::Escape("act$Shown"))
        $err.FullyQualifiedErrorId.StartsWith("id$Shown") | Should -BeTrue
    }
}

# A child may simply stop answering: a stop (Ctrl+C) or a close of its session must still end.
Describe 'A session whose child stops answering' {
    BeforeAll {
        # The child's protocol writer stops writing, as if the child had hung: nothing it does is answered any more.
        $script:Silence = {
            $mediator = [psobject].Assembly.GetType('System.Management.Automation.Remoting.Server.StdIOProcessMediator')
            $instance = $mediator.GetField('s_singletonInstance', [Reflection.BindingFlags]'NonPublic,Static').GetValue($null)
            $writer = $mediator.BaseType.GetField('originalStdOut', [Reflection.BindingFlags]'NonPublic,Instance').GetValue($instance)
            $later = [powershell]::Create().AddScript({
                param($writer)
                Start-Sleep -Milliseconds 1500
                $writer.GetType().GetField('_isStopped', [Reflection.BindingFlags]'NonPublic,Instance').SetValue($writer, $true)
            }).AddArgument($writer)
            $null = $later.BeginInvoke()
            'silenced soon'
        }
    }

    It 'ends a call stopped with Ctrl+C, and the session is broken' {
        $s = New-LandlockSession -Ruleset $Rs
        Invoke-Command -Session $s $Silence | Should -Be 'silenced soon'
        Start-Sleep 3
        $call = [powershell]::Create().AddCommand('Invoke-Command').AddParameter('Session', $s).AddParameter('ScriptBlock', { 'never answered' })
        $null = $call.BeginInvoke()
        Start-Sleep 2
        $stop = $call.BeginStop($null, $null)
        $stop.AsyncWaitHandle.WaitOne(60000) | Should -BeTrue -Because 'a stop must not wait for a child that never answers'
        $s.State | Should -Be 'Broken'
        $call.Dispose()
        Remove-PSSession $s
    }

    It 'closes it without PowerShell''s minute-long wait for the answer' {
        $s = New-LandlockSession -Ruleset $Rs
        $childPid = Invoke-Command -Session $s { $PID }
        Invoke-Command -Session $s $Silence | Out-Null
        Start-Sleep 3
        $job = Start-ThreadJob -ArgumentList $s { param($s) Remove-PSSession $s }
        # PowerShell waits 60 s for an unanswered close.
        Wait-Job $job -Timeout 40 | Should -Not -BeNullOrEmpty
        Test-ProcessAlive $childPid | Should -BeFalse
    }
}

Describe 'Engine events a sandbox forwards' {
    It 'end the session: each would stay in the caller''s memory, and the caller never asked for them' {
        $s = New-LandlockSession -Ruleset $Rs
        Invoke-Command -Session $s {
            $null = Register-EngineEvent -SourceIdentifier Flood -Forward
            $null = New-Event -SourceIdentifier Flood -MessageData ('x' * 1KB)
            Start-Sleep 2
            'after'
        } -ErrorAction SilentlyContinue -ErrorVariable ev
        ($ev | Out-String) | Should -Match 'engine event'
        $s.State | Should -Be 'Broken'
        $s.Runspace.Events.ReceivedEvents.Count | Should -Be 0
        Remove-PSSession $s
    }

    # The check reads the message type in an object's first fragment: a child that makes its fragments
    # tiny (25 bytes, 4 of them the message's) puts the type in the next one, and the client joins them.
    # Forwarded so, a stop in the debugger opened a debugger prompt in an Enter-PSSession caller's
    # terminal (no -HostAccess, no mark) and wrote its text there unneutralised.
    It 'end the session however finely the child fragments them' {
        $split = {
            $instance = [Reflection.BindingFlags]'NonPublic,Instance'
            $mediator = [psobject].Assembly.GetType('System.Management.Automation.Remoting.Server.StdIOProcessMediator')
            $session = $mediator.BaseType.GetField('sessionTM', $instance).GetValue($mediator.GetField('s_singletonInstance', [Reflection.BindingFlags]'NonPublic,Static').GetValue($null))
            $fragmentor = $session.GetType().GetProperty('Fragmentor', $instance).GetValue($session)
            $fragmentor.GetType().GetProperty('FragmentSize', $instance).SetValue($fragmentor, 25)
            $null = Register-EngineEvent -SourceIdentifier Split -Forward
            $null = New-Event -SourceIdentifier Split -MessageData 'split'
            Start-Sleep 2
            'after'
        }
        # The control: PowerShell's own out-of-process session takes the event so split.
        $process = New-OwnPwshProcess
        $own = [runspacefactory]::CreateOutOfProcessRunspace($null, $process)
        try {
            $own.Open()
            $ps = [powershell]::Create()
            $ps.Runspace = $own
            $ps.AddScript($split.ToString()).Invoke() | Should -Be 'after'
            $own.Events.ReceivedEvents.SourceIdentifier | Should -Contain 'Split'
        }
        finally {
            $own.Dispose()
            $process.Dispose()
        }
        $s = New-LandlockSession -Ruleset $Rs
        Invoke-Command -Session $s $split -ErrorAction SilentlyContinue -ErrorVariable ev
        ($ev | Out-String) | Should -Match 'split a message''s header'
        $s.State | Should -Be 'Broken'
        $s.Runspace.Events.ReceivedEvents.Count | Should -Be 0
        Remove-PSSession $s
    }

    It 'leave an event that stays in the sandbox alone (the allowed twin)' {
        $s = New-LandlockSession -Ruleset $Rs
        Invoke-Command -Session $s {
            $null = New-Event -SourceIdentifier Local
            (Get-Event -SourceIdentifier Local).Count
        } | Should -Be 1
        $s.State | Should -Be 'Opened'
        Remove-PSSession $s
    }
}

# A child that sends faster than the caller's pipeline consumes is slowed down: what waits in the
# caller's memory is bounded (found by a red team: a 20-second wait cost the caller 470 MB).
Describe 'A child that outpaces a slow consumer' {
    BeforeEach {
        [IO.File]::WriteAllText("/proc/$PID/clear_refs", '5')
    }

    It 'does not make the caller hold what it sent ahead' {
        $before = (Get-Process -Id $PID).WorkingSet64
        $taken = Invoke-Sandboxed -Ruleset $Rs -TimeoutSec 120 { $item = 'x' * 100KB; while ($true) { $item } } |
            ForEach-Object { Start-Sleep -Milliseconds 500; 1 } | Select-Object -First 16
        @($taken).Count | Should -Be 16
        $peak = [long]((Get-Content /proc/$PID/status | Select-String '^VmHWM:\s+(\d+)').Matches.Groups[1].Value) * 1KB
        ($peak - $before) | Should -BeLessThan 256MB
    }
}
