# The host channel, attacked as a sandbox would: it can send any host call PowerShell's protocol
# has (not only those its own $host sends), at any time (a session's child keeps running between
# commands), and it chooses when its text reaches the caller's terminal. It must never act on the
# caller's shell beyond its own session, nor hide the mark that says a prompt is the sandbox's.
BeforeAll {
    . $PSScriptRoot/common.ps1

    # A pwsh at a terminal with the module imported, once it has run $Setup: each Describe has its own.
    function Start-ModuleTerminal([string] $Name, [string] $Setup, [int] $Width = 220) {
        $script:Tmux = Start-Terminal "$Name-$PID" -Width $Width
        Wait-TerminalText $Tmux '(?m)^PS .*>' | Out-Null
        # Markers are built when the command runs, so the echo of the typed line never matches them.
        Send "Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'; $Setup; 'terminal' + '-ready'"
        Wait-TerminalText $Tmux '(?m)^terminal-ready' | Out-Null
    }
    function Send([string] $Line) { Send-TerminalLine $script:Tmux $Line }
    # The screen keeps what earlier tests printed: a marker several of them print is waited for after the line that asked for it.
    function WaitFor([string] $Pattern) { Wait-TerminalText $script:Tmux $Pattern }
    # Three lines typed into your own shell, each after a pause in which a session may write: the screen's line each was typed on.
    function Read-OwnLines([string] $Tag) {
        foreach ($i in 1..3) { Start-Sleep 2; Read-TypedLine "'$Tag-' + 'typed$i'" ".*$Tag-typed$i.*" }
    }
    # Types $Line at the prompt, which runs it, and returns the screen's line it was typed on: its
    # prompt. The line must print $Shows, alone on a line of its own.
    function Read-TypedLine([string] $Line, [string] $Shows) {
        Send $Line
        $screen = WaitFor "(?m)^$Shows`$"
        $screen -split "`n" | Where-Object { $_.Contains($Line) } | Select-Object -Last 1
    }

    # What the scripts below, run in a session's child, reach with reflection on its own server:
    # its session, the writer of its stdout, and what sends its host's calls.
    $script:ServerParts = @'
$asm = [psobject].Assembly
$instance = [Reflection.BindingFlags]'NonPublic,Instance'
$mediator = $asm.GetType('System.Management.Automation.Remoting.Server.StdIOProcessMediator')
$session = $mediator.BaseType.GetField('sessionTM', $instance).GetValue($mediator.GetField('s_singletonInstance', [Reflection.BindingFlags]'NonPublic,Static').GetValue($null))
$writer = $session.GetType().GetField('_stdOutWriter', $instance).GetValue($session)
$remoteHost = $host.GetType().GetProperty('ExternalHost', $instance).GetValue($host)
$executor = $asm.GetType('System.Management.Automation.Remoting.ServerRemoteHost').GetField('_serverMethodExecutor', $instance).GetValue($remoteHost)
# The locks a thread left behind holds, in turn, to write between a command's creation and its acknowledgement.
$writeLock = $writer.GetType().GetField('_syncObject', $instance).GetValue($writer)
$out = $writer.GetType().GetField('_writer', $instance).GetValue($writer)
$commands = $session.GetType().GetField('_cmdTransportManagers', $instance).GetValue($session)
$commandLock = $session.GetType().GetField('_syncObject', $instance).GetValue($session)

'@

    # Run in a session's child (Invoke-Command -FilePath): leaves a thread behind that sends the
    # caller a host call of the whole session (not of a command, so the caller carries it out at
    # once, whatever it is doing) every $IntervalMilliseconds (half a second unless given), $Count
    # times, from $AfterSeconds on, with $Arguments: what a sandbox can do with reflection on its own
    # server, past what its $host offers.
    $script:HostCaller = Join-Path (Get-PSDrive TestDrive).Root host-caller.ps1
    Set-Content $HostCaller ("param([string] `$Method, [int] `$Count, [int] `$AfterSeconds, [object[]] `$Arguments = @(), [int] `$IntervalMilliseconds = 500)`n" + $ServerParts + @'
$pool = $executor.GetType().GetField('_clientRunspacePoolId', $instance).GetValue($executor)
$callType = $asm.GetType('System.Management.Automation.Remoting.RemoteHostCall')
$methodId = [Enum]::Parse($asm.GetType('System.Management.Automation.Remoting.RemoteHostMethodId'), $Method)
$call = $callType.GetConstructors($instance)[0].Invoke([object[]]@([long]-100, $methodId, $Arguments))
$dataType = $asm.GetType('System.Management.Automation.Remoting.RemoteDataObject`1').MakeGenericType([psobject])
$create = $dataType.GetMethods([Reflection.BindingFlags]'NonPublic,Static') | Where-Object { $_.Name -eq 'CreateFrom' -and $_.GetParameters().Count -eq 5 }
$data = $create.Invoke($null, [object[]]@(
    [Enum]::Parse($asm.GetType('System.Management.Automation.RemotingDestination'), 'Client'),
    [Enum]::Parse($asm.GetType('System.Management.Automation.RemotingDataType'), 'RemoteHostCallUsingRunspaceHost'),
    $pool, [guid]::Empty, $callType.GetMethod('Encode', $instance).Invoke($call, @())))
$send = ($session.GetType().GetMethods($instance) | Where-Object { $_.Name -eq 'SendDataToClient' -and $_.IsGenericMethodDefinition })[0].MakeGenericMethod([psobject])
$global:HostCalls = [powershell]::Create().AddScript({
    param($send, $session, $data, $count, $after, $interval)
    Start-Sleep $after
    for ($i = 0; $i -lt $count; $i++) { Start-Sleep -Milliseconds $interval; $send.Invoke($session, [object[]]@($data, $true, $false)) }
}).AddArgument($send).AddArgument($session).AddArgument($data).AddArgument($Count).AddArgument($AfterSeconds).AddArgument($IntervalMilliseconds)
$null = $global:HostCalls.BeginInvoke()
'host calls armed'
'@)

    # Run in a session's child: writes the first fragment of an object on the session's prompt
    # response stream (where the transport's own markers go), and never the rest.
    $script:Unfinished = Join-Path (Get-PSDrive TestDrive).Root unfinished.ps1
    Set-Content $Unfinished ($ServerParts + @'
function BigEndian([long] $value, [int] $bytes) { $b = [BitConverter]::GetBytes($value); [array]::Reverse($b); $b[(8 - $bytes)..7] }
$message = [byte[]]@([BitConverter]::GetBytes([uint32]1) + [BitConverter]::GetBytes([uint32]0x00021005) + [guid]::NewGuid().ToByteArray() + [guid]::Empty.ToByteArray() + [byte[]](0xEF, 0xBB, 0xBF))
$fragment = [byte[]]@((BigEndian 77 8) + (BigEndian 0 8) + [byte]1 + (BigEndian $message.Length 4) + $message)
$writer.WriteLine("<Data Stream='PromptResponse' PSGuid='$([guid]::Empty)'>$([Convert]::ToBase64String($fragment))</Data>")
'@)

    # Run as a command of a session's child: sends the caller a host call of that command that wants
    # an answer (ReadLine), by reflection on its server, whatever the session's -HostAccess, and waits
    # for the answer. A job that gets such a call is Blocked until Receive-Job carries it out.
    $script:Asker = Join-Path (Get-PSDrive TestDrive).Root asker.ps1
    Set-Content $Asker @'
$instance = [Reflection.BindingFlags]'NonPublic,Instance'
$asm = [psobject].Assembly
$remoteHost = $host.GetType().GetProperty('ExternalHost', $instance).GetValue($host)
$executor = $asm.GetType('System.Management.Automation.Remoting.ServerRemoteHost').GetField('_serverMethodExecutor', $instance).GetValue($remoteHost)
$ask = ($executor.GetType().GetMethods($instance) | Where-Object { $_.Name -eq 'ExecuteMethod' -and $_.IsGenericMethodDefinition -and $_.GetParameters().Count -eq 1 })[0].MakeGenericMethod([string])
$ask.Invoke($executor, [object[]]@([Enum]::Parse($asm.GetType('System.Management.Automation.Remoting.RemoteHostMethodId'), 'ReadLine')))
'@

    # Run in a session's child: at the end of every command (once the server has forgotten it, its
    # close acknowledgement waits for the writer), sends a host call of that command
    # (PIPELINE_HOST_CALL, which names the command in its message header): megabytes of colour
    # resets the caller's host keeps and its terminal draws as nothing, then a carriage return, blanks
    # and "PS /fake> ". It goes on the session's own stream (PSGuid empty), unless -OwnStream (on the
    # command's), and the acknowledgement follows it after one of $Delays milliseconds, in turn.
    # PowerShell's client puts the session's stream together on a thread of its own and hands the
    # call to the command (if it still runs) on the session's callback thread: apart from the
    # command's end, which can come first, and the prompt after it be drawn before the call is written.
    $script:LateCommandCall = Join-Path (Get-PSDrive TestDrive).Root late-command-call.ps1
    Set-Content $LateCommandCall ("param([bool] `$OwnStream, [int] `$Resets = 1100000, [int[]] `$Delays = @(110, 130, 150, 165, 180, 200, 220))`n" + $ServerParts + @'
$pool = $executor.GetType().GetField('_clientRunspacePoolId', $instance).GetValue($executor)
$methodId = [Enum]::Parse($asm.GetType('System.Management.Automation.Remoting.RemoteHostMethodId'), 'Write1')
# Colour resets the caller's host keeps and its terminal draws as nothing, then what rubs out the mark.
$text = ('_x001B_[m' * $Resets) + '_x000D_' + (' ' * 40) + '_x000D_PS /fake&gt; '
$xml = '<Obj RefId="0"><MS><I64 N="ci">-100</I64><Obj N="mi" RefId="1"><TN RefId="0"><T>System.Management.Automation.Remoting.RemoteHostMethodId</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN>' +
    "<ToString>Write1</ToString><I32>$([int]$methodId)</I32></Obj><Obj N=`"mp`" RefId=`"2`"><TN RefId=`"1`"><T>System.Collections.ArrayList</T><T>System.Object</T></TN><LST><S>$text</S></LST></Obj></MS></Obj>"
$body = [Text.Encoding]::UTF8.GetBytes($xml)
$global:Late = [powershell]::Create().AddScript({
    param($writeLock, $out, $commands, $commandLock, [guid] $pool, [byte[]] $body, [int[]] $delays, [bool] $ownStream)
    function BigEndian([long] $value, [int] $bytes) { $b = [BitConverter]::GetBytes($value); [array]::Reverse($b); $b[(8 - $bytes)..7] }
    $size = 32000
    # Every fragment but the first (which names the command) is the same for each call: made once.
    $rest = [Collections.Generic.List[string]]::new()
    $messageLength = 40 + 3 + $body.Length
    $count = [Math]::Ceiling($messageLength / $size)
    $objectId = 900000
    function Fragment([long] $index, [byte[]] $data, [int] $offset, [int] $length) {
        $flags = [byte](($index -eq 0 ? 1 : 0) + ($index -eq $count - 1 ? 2 : 0))
        $fragment = [IO.MemoryStream]::new()
        $fragment.Write([byte[]]@((BigEndian $objectId 8) + (BigEndian $index 8) + $flags + (BigEndian $length 4)))
        $fragment.Write($data, $offset, $length)
        "<Data Stream='Default' PSGuid='$([guid]::Empty)'>$([Convert]::ToBase64String($fragment.ToArray()))</Data>"
    }
    for ($i = 1; $i -lt $count; $i++) {
        $offset = $i * $size - 43
        $rest.Add((Fragment $i $body $offset ([Math]::Min($size, $messageLength - $i * $size))))
    }
    # A host call of the command (PIPELINE_HOST_CALL), sent on the session's own stream.
    function First([guid] $command) {
        $ms = [IO.MemoryStream]::new()
        $ms.Write([BitConverter]::GetBytes([uint32]1)); $ms.Write([BitConverter]::GetBytes([uint32]0x00041100))
        $ms.Write($pool.ToByteArray()); $ms.Write($command.ToByteArray()); $ms.Write([byte[]](0xEF, 0xBB, 0xBF)); $ms.Write($body, 0, [Math]::Min($size - 43, $body.Length))
        Fragment 0 $ms.ToArray() 0 $ms.Length
    }
    # On a command's end (its transport manager gone: its close ack is next), while its ack waits
    # for the writer: the command's call, then a pause of $delays[n] ms before the ack goes out.
    $known = [Collections.Generic.HashSet[guid]]::new()
    $attempt = 0
    [Threading.Monitor]::Enter($commandLock)
    foreach ($command in @($commands.Keys)) { $null = $known.Add($command) }
    while ($true) {
        Start-Sleep -Milliseconds 1
        [Threading.Monitor]::Enter($writeLock)
        [Threading.Monitor]::Exit($commandLock)
        Start-Sleep -Milliseconds 1
        [Threading.Monitor]::Enter($commandLock)
        $now = [Collections.Generic.HashSet[guid]]::new([guid[]]@($commands.Keys))
        foreach ($command in @($known)) {
            if (-not $now.Contains($command)) {
                $null = $known.Remove($command)
                $stream = $ownStream ? "PSGuid='$command'" : "PSGuid='$([guid]::Empty)'"
                $out.WriteLine((First $command).Replace("PSGuid='$([guid]::Empty)'", $stream))
                foreach ($line in $rest) { $out.WriteLine($line.Replace("PSGuid='$([guid]::Empty)'", $stream)) }
                $out.Flush()
                Start-Sleep -Milliseconds $delays[$attempt % $delays.Count]
                $attempt++
            }
        }
        foreach ($command in $now) { $null = $known.Add($command) }
        [Threading.Monitor]::Exit($writeLock)
    }
}).AddArgument($writeLock).AddArgument($out).AddArgument($commands).AddArgument($commandLock).
    AddArgument($pool).AddArgument($body).AddArgument($Delays).AddArgument([bool] $OwnStream)
$null = $global:Late.BeginInvoke()
'late calls armed'
'@)

    # Run in a session's child: leaves a thread behind that answers every command the client starts
    # with an output object (a carriage return, blanks, another one and "PS /root> "), written before
    # the server acknowledges the command, so before the client says what the command is. It holds
    # the server's lock on new commands and its writer's lock in turn: a command can only be added
    # while the writer is held, and it is seen before its acknowledgement can go out.
    $script:EarlyOutput = Join-Path (Get-PSDrive TestDrive).Root early-output.ps1
    Set-Content $EarlyOutput ($ServerParts + @'
$global:Early = [powershell]::Create().AddScript({
    param($writeLock, $out, $commands, $commandLock, [guid] $pool)
    function BigEndian([long] $value, [int] $bytes) { $b = [BitConverter]::GetBytes($value); [array]::Reverse($b); $b[(8 - $bytes)..7] }
    function Output([guid] $command) {
        $body = [Text.Encoding]::UTF8.GetBytes('<S>_x000D_' + (' ' * 12) + '_x000D_PS /root&gt; </S>')
        $message = [byte[]]@([BitConverter]::GetBytes([uint32]1) + [BitConverter]::GetBytes([uint32]0x00041004) + $pool.ToByteArray() + $command.ToByteArray() + [byte[]](0xEF, 0xBB, 0xBF) + $body)
        $fragment = [byte[]]@((BigEndian 1 8) + (BigEndian 0 8) + [byte]3 + (BigEndian $message.Length 4) + $message)
        "<Data Stream='Default' PSGuid='$command'>$([Convert]::ToBase64String($fragment))</Data>"
    }
    $seen = [Collections.Generic.HashSet[guid]]::new()
    [Threading.Monitor]::Enter($commandLock)
    foreach ($command in @($commands.Keys)) { $null = $seen.Add($command) }
    while ($true) {
        Start-Sleep -Milliseconds 3
        [Threading.Monitor]::Enter($writeLock)
        [Threading.Monitor]::Exit($commandLock)
        Start-Sleep -Milliseconds 3
        [Threading.Monitor]::Enter($commandLock)
        foreach ($command in @($commands.Keys)) {
            if ($seen.Add($command)) { $out.WriteLine((Output $command)); $out.Flush() }
        }
        [Threading.Monitor]::Exit($writeLock)
    }
}).AddArgument($writeLock).AddArgument($out).AddArgument($commands).AddArgument($commandLock).
    AddArgument($executor.GetType().GetField('_clientRunspacePoolId', $instance).GetValue($executor))
$null = $global:Early.BeginInvoke()
'early output armed'
'@)
}

Describe 'A session''s child and the caller''s interactive sessions' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) {
    BeforeAll {
        Start-ModuleTerminal llps-pop '$rs = New-LandlockRuleset -Abi V7; $attacker = New-LandlockSession $rs; $target = New-LandlockSession $rs'
    }
    AfterAll {
        & tmux kill-session -t $Tmux 2>$null
    }

    It 'cannot pop the caller out of another session it entered' {
        Send "Invoke-Command `$attacker -FilePath '$HostCaller' -ArgumentList PopRunspace, 16, 0"
        WaitFor '(?s)PopRunspace, 16, 0.*\nhost calls armed' | Should -Match 'host calls armed'
        Send 'Enter-PSSession $target'
        WaitFor '(?m)^\[landlock\]: PS .*>' | Should -Match '(?m)^\[landlock\]: PS .*>'
        # Give the attacker's calls (every half second) time to come.
        Start-Sleep 4
        # Only the caller's own shell knows $attacker: False proves the line ran in the target.
        Send "'in-target-' + [bool]`$attacker"
        $screen = WaitFor '(?m)^in-target-|was not run'
        $screen | Should -Match '(?m)^in-target-False'
        $screen | Should -Not -Match 'was not run'
        Send 'exit'
        Send "'left-' + [bool]`$attacker"
        WaitFor '(?m)^left-True' | Should -Match '(?m)^left-True'
    }

    It 'can still pop the caller out of its own session (the allowed twin: the same calls take effect)' {
        # The calls left over from the test before have stopped by now; a clean screen for the markers.
        Start-Sleep 5
        Send 'Clear-Host'
        Start-Sleep -Milliseconds 500
        & tmux clear-history -t $Tmux
        # Late enough to see the session entered first.
        Send "Invoke-Command `$attacker -FilePath '$HostCaller' -ArgumentList PopRunspace, 8, 4"
        WaitFor '(?s)PopRunspace, 8, 4.*\nhost calls armed' | Should -Match 'host calls armed'
        Send 'Enter-PSSession $attacker'
        WaitFor '(?m)^\[landlock\]: PS .*>' | Should -Match '(?m)^\[landlock\]: PS .*>'
        Start-Sleep 6
        # The shell takes in the line typed at the prompt it showed before the pop, then runs nothing: an empty one.
        Send ''
        Send "'popped-' + [bool]`$attacker"
        WaitFor '(?m)^popped-' | Should -Match '(?m)^popped-True'
    }

    # The console host saves its title when told a program starts and puts it back when told it ended:
    # a sandbox that tells it so (PowerShell's own server never does) would set your title back to an
    # old one, and leave your host counting programs that never ran.
    It 'cannot tell the caller''s host that a program starts or ends' {
        $title = { & tmux display -p -t $Tmux '#{pane_title}' }
        Send "`$Host.UI.RawUI.WindowTitle = 'title-one'"
        Send "Invoke-Command `$attacker -FilePath '$HostCaller' -ArgumentList NotifyBeginApplication, 1, 0"
        Start-Sleep 3
        Send "`$Host.UI.RawUI.WindowTitle = 'title-two'"
        Send "Invoke-Command `$attacker -FilePath '$HostCaller' -ArgumentList NotifyEndApplication, 1, 0"
        Start-Sleep 3
        Send "'title' + '-checked'"
        WaitFor '(?m)^title-checked' | Out-Null
        & $title | Should -Be 'title-two'
    }

    # Enter-PSSession shows "[landlock]: " and then what the session's own prompt function returns.
    # Written as it is, a carriage return would rub the prefix out (the session would look like the
    # caller's own shell) and an OSC sequence would set the title without -HostAccess RawUI.
    It 'cannot hide the [landlock] prefix of its Enter-PSSession prompt, nor set the title with it' {
        Send "`$prompted = New-LandlockSession `$rs; `$Host.UI.RawUI.WindowTitle = 'title-mine'; Enter-PSSession `$prompted"
        WaitFor '(?m)^\[landlock\]: PS .*>' | Should -Match '(?m)^\[landlock\]: PS .*>'
        Send 'function prompt { "`r" + (" " * 20) + "`rPS /fake> `e]0;title-sandbox`a" }'
        # Cut at its start to stay on the mark's line; the symbols stand for what the terminal never saw.
        Read-TypedLine "'prompt-' + 'set'" 'prompt-set' | Should -Match '^\[landlock\]: \[\.\.\.\] +\u240dPS /fake> \u241b\]0;title-sandbo'
        & tmux display -p -t $Tmux '#{pane_title}' | Should -Be 'title-mine'
    }

    It 'shows a plain prompt of the session as it is (the allowed twin: the prompt function is used)' {
        Send 'function prompt { "PS-sandbox-" + "prompt> " }'
        Read-TypedLine "'plain-' + 'prompt'" 'plain-prompt' | Should -Match '^\[landlock\]: PS-sandbox-prompt> '
        Send 'exit'
        Send "Remove-PSSession `$prompted"
    }

    # A server has no output for a command before it has the command, but a sandbox knows a command's
    # id from the client's first packet, and the client takes output for it at once, before it has
    # said what the command is: the filter did not know yet that it was the prompt.
    It 'cannot hide the [landlock] prefix with output sent before it is told the prompt command is one' {
        Send "`$early = New-LandlockSession `$rs; Invoke-Command `$early -FilePath '$EarlyOutput'; Enter-PSSession `$early"
        WaitFor '(?s)\$early = New-LandlockSession.*\nearly output armed' | Should -Match 'early output armed'
        Read-TypedLine "'early-' + 'typed'" 'early-typed' | Should -Match '^\[landlock\]: \u240d +\u240dPS /root> '
        Send 'exit'
        Send "Remove-PSSession `$early"
    }

    # A session's own host writes at once, whatever the caller does, also while you type at the
    # session's prompt: a carriage return goes back to the start of the line you type on and rubs
    # the mark out, and text that wraps at the foot of the screen scrolls that line away from where
    # your line editor draws what you type.
    It 'cannot rub out the [landlock] prefix of the line you type on with host text sent while you type' {
        Send "`$idle = New-LandlockSession `$rs; Invoke-Command `$idle -FilePath '$HostCaller' -ArgumentList Write1, 1, 4, (`"``rPS /root> `" + (' ' * 40) + `"``rPS /root> `"); Enter-PSSession `$idle"
        WaitFor '(?m)^\[landlock\]: PS .*>' | Out-Null
        Start-Sleep 6
        # What it wrote comes once the line runs, before its output, which it leaves unended.
        $typed = Read-TypedLine "'idle-' + 'typed'" '.*idle-typed'
        Send 'exit'
        Send "Remove-PSSession `$idle"
        $typed | Should -Match '^\[landlock\]: PS '
    }

    It 'shows what the session''s own host wrote while you typed once you next use the session (the allowed twin: nothing is lost)' {
        Send "`$quiet = New-LandlockSession `$rs; Invoke-Command `$quiet -FilePath '$HostCaller' -ArgumentList WriteLine2, 1, 2, ('idle-' + 'host-text')"
        WaitFor '(?s)\$quiet = New-LandlockSession.*\nhost calls armed' | Out-Null
        Start-Sleep 5
        (& tmux capture-pane -t $Tmux -p -S -200) -join "`n" | Should -Not -Match 'idle-host-text'
        Send "Invoke-Command `$quiet { 'next-' + 'command' }; Remove-PSSession `$quiet"
        WaitFor '(?m)^next-command' | Should -Match '(?s)idle-host-text.*\nnext-command'
    }

    # What waits comes out at once when your next line runs, and PowerShell carries a session's host
    # calls out on a thread of its own, apart from the command's: the line and the prompt command
    # after it could be done long before the last of a burst is written, which would land after the
    # [landlock] mark the console drew meanwhile. A command's end waits until they are carried out.
    It 'cannot rub out the [landlock] prefix with a burst of held host text that is still written when the prompt is drawn' {
        Send "`$burst = New-LandlockSession `$rs; Invoke-Command `$burst -FilePath '$HostCaller' -ArgumentList Write1, 1000000, 0, ((' ' * 50) + `"``r`"), 2; Enter-PSSession `$burst"
        WaitFor '(?m)^\[landlock\]: PS .*>' | Out-Null
        # A pause before each line lets a burst build up.
        $typed = foreach ($i in 1..3) { Start-Sleep 2; Read-TypedLine "'burst-' + 'typed$i'" ".*burst-typed$i.*" }
        Send 'exit'
        Send "Remove-PSSession `$burst"
        $typed | Should -HaveCount 3
        $typed | Should -Match '^\[landlock\]: PS '
    }

    # Red team: a host call of a command sent on the session's own stream is no session host call to
    # the transport (no catch-up), and PowerShell carries it out on the session's callback thread,
    # apart from the command's end: the prompt after the command can be drawn before it is written.
    It 'cannot rub out the [landlock] prefix with host calls of a command sent on the session''s own stream' {
        Send "`$late = New-LandlockSession `$rs; Invoke-Command `$late -FilePath '$LateCommandCall'; Enter-PSSession `$late"
        WaitFor '(?s)\$late = New-LandlockSession.*\nlate calls armed' | Out-Null
        # One of the delays (an odd count of them, so that each comes at a prompt command's end) lets
        # the call be taken for the command just before its end, and written just after the prompt.
        $typed = foreach ($i in 1..5) { Start-Sleep 1; Read-TypedLine "'late-' + 'typed$i'" ".*late-typed$i.*" }
        # Not "exit": the session may have ended, and the line runs in your own shell.
        Send 'Exit-PSSession'
        Send "'late-' + `$late.State; Remove-PSSession `$late"
        # Ended at the first such call: PowerShell's server never sends one.
        WaitFor '(?m)^late-(?!typed)' | Should -Match '(?m)^late-Broken'
        $typed | Should -HaveCount 5
        # Typed at the session's prompt, or at your own once the session is ended: never at a fake one.
        $typed | Should -Match '\[landlock\]: PS |^PS /(?!fake)'
    }

    It 'carries out host calls of a command sent on its own stream before the command ends (the allowed twin: the same calls, the prefix kept)' {
        Send "`$ownlate = New-LandlockSession `$rs; Invoke-Command `$ownlate -FilePath '$LateCommandCall' -ArgumentList `$true; Enter-PSSession `$ownlate"
        WaitFor '(?s)\$ownlate = New-LandlockSession.*\nlate calls armed' | Out-Null
        $typed = foreach ($i in 1..3) { Start-Sleep 1; Read-TypedLine "'ownlate-' + 'typed$i'" ".*ownlate-typed$i.*" }
        $screen = WaitFor '(?m)^ownlate-typed3'
        Send 'exit'
        Send "Remove-PSSession `$ownlate"
        $typed | Should -HaveCount 3
        $typed | Should -Match '\[landlock\]: PS '
        $screen | Should -Match 'PS /fake>'
    }

    It 'shows the [landlock] prefix on each line you type at a quiet session (the allowed twin: the lines are read as above)' {
        Send "`$calm = New-LandlockSession `$rs; Enter-PSSession `$calm"
        WaitFor '(?m)^\[landlock\]: PS .*>' | Out-Null
        $typed = foreach ($i in 1..3) { Start-Sleep 1; Read-TypedLine "'calm-' + 'typed$i'" ".*calm-typed$i.*" }
        Send 'exit'
        Send "Remove-PSSession `$calm"
        $typed | Should -HaveCount 3
        $typed | Should -Match '^\[landlock\]: PS '
    }

    # A command sent with -AsJob runs while you type into your own shell: the session's own host
    # text waits then, as it does while nothing runs. The transport sees only that a command runs;
    # the job list of your shell tells it that you do not wait for that one.
    It 'cannot rub out your own prompt with host text sent while a command you sent with -AsJob runs' {
        Send "`$jobbed = New-LandlockSession `$rs; Invoke-Command `$jobbed -FilePath '$HostCaller' -ArgumentList Write1, 1000000, 0, ((' ' * 50) + `"``r`"), 20; `$job = Invoke-Command `$jobbed { Start-Sleep 600 } -AsJob"
        $typed = Read-OwnLines 'jobbed'
        Send "Remove-PSSession `$jobbed"
        $typed | Should -HaveCount 3
        $typed | Should -Match '^PS '
    }

    # A thread job (or ForEach-Object -Parallel) waits for the command it sent; your shell does not.
    It 'cannot rub out your own prompt with host text sent while a command a thread job sent runs' {
        Send "`$threaded = New-LandlockSession `$rs; Invoke-Command `$threaded -FilePath '$HostCaller' -ArgumentList Write1, 1000000, 0, ((' ' * 50) + `"``r`"), 20; `$tj = Start-ThreadJob { Invoke-Command `$using:threaded { Start-Sleep 600 } }"
        $typed = Read-OwnLines 'threaded'
        Send "Remove-PSSession `$threaded; Remove-Job `$tj -Force"
        $typed | Should -HaveCount 3
        $typed | Should -Match '^PS '
    }

    # A job whose command asks the caller something (a host call that wants an answer, which
    # Receive-Job carries out) is Blocked, not Running: you do not wait for it either.
    It 'cannot rub out your own prompt with host text sent while a command you sent with -AsJob waits for an answer (Blocked)' {
        Send "`$blocked = New-LandlockSession `$rs; Invoke-Command `$blocked -FilePath '$HostCaller' -ArgumentList Write1, 1000000, 0, ((' ' * 50) + `"``r`"), 20; `$job = Invoke-Command `$blocked -FilePath '$Asker' -AsJob"
        $typed = Read-OwnLines 'blocked'
        Send "`$job.State; Remove-Job `$job -Force; Remove-PSSession `$blocked"
        $typed | Should -HaveCount 3
        $typed | Should -Match '^PS '
        WaitFor '(?m)^Blocked' | Should -Match '(?m)^Blocked'
    }

    It 'shows what the session''s own host wrote while a job ran once you next wait for the session (the allowed twin: nothing is lost)' {
        Send "`$waited = New-LandlockSession `$rs; Invoke-Command `$waited -FilePath '$HostCaller' -ArgumentList WriteLine2, 1, 1, ('job-time-' + 'host-text'); `$job = Invoke-Command `$waited { Start-Sleep 600 } -AsJob; 'job-' + 'started'"
        WaitFor '(?m)^job-started' | Out-Null
        Start-Sleep 3 # the session writes 1.5 s after it was armed
        Send "'while-' + 'job'"
        WaitFor '(?m)^while-job' | Should -Not -Match 'job-time-host-text'
        Send "Stop-Job `$job; Invoke-Command `$waited { 'after-' + 'job' }; Remove-PSSession `$waited"
        WaitFor '(?m)^after-job' | Should -Match '(?s)job-time-host-text.*after-job'
    }

    # The common end of a job: wait for it, take its output, remove the session. What the session's
    # own host wrote while the job ran waited (you typed meanwhile): it must come out, not be lost
    # with the session (PowerShell carries out none of a session's calls once it closes it: the
    # transport writes their text on your host itself).
    It 'does not lose what the session''s own host wrote while a job ran when you remove the session after the job' {
        Send "`$finished = New-LandlockSession `$rs; Invoke-Command `$finished -FilePath '$HostCaller' -ArgumentList WriteLine2, 1, 1, ('finished-job-' + 'host-text'); `$job = Invoke-Command `$finished { Start-Sleep 4; 'job-' + 'output' } -AsJob; 'job-' + 'started'"
        WaitFor '(?m)^job-started' | Out-Null
        Start-Sleep 3 # the session writes 1.5 s after it was armed
        Send "`$job | Receive-Job -Wait -AutoRemoveJob; Remove-PSSession `$finished; 'finished-' + 'removed'"
        WaitFor '(?m)^finished-removed' | Should -Match '(?s)finished-job-host-text.*finished-removed'
    }

    It 'shows what the session''s own host wrote while you typed when you remove the session (nothing is lost)' {
        Send "`$removed = New-LandlockSession `$rs; Invoke-Command `$removed -FilePath '$HostCaller' -ArgumentList WriteLine2, 1, 1, ('removed-' + 'host-text'); 'removed-' + 'armed'"
        WaitFor '(?m)^removed-armed' | Out-Null
        Start-Sleep 3 # the session writes 1.5 s after it was armed
        Send "'removed-' + 'typed'"
        WaitFor '(?m)^removed-typed' | Should -Not -Match 'removed-host-text'
        Send "Remove-PSSession `$removed; 'removed-' + 'done'"
        WaitFor '(?m)^removed-done' | Should -Match '(?s)removed-host-text.*removed-done'
    }

    # Your shell is the runspace of the host you type at, not the one that made the session: a
    # thread job given your host can make a session and hand it to you (while its runspace, which
    # owns the session, stays open).
    It 'shows what a session a thread job made wrote while you typed once you next wait for it from your shell (nothing is lost)' {
        Send "`$maker = Start-ThreadJob -StreamingHost `$Host { Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'; New-LandlockSession `$using:rs; Start-Sleep 600 }; while (-not (`$handed = `$maker | Receive-Job)) { Start-Sleep -Milliseconds 100 }; Invoke-Command `$handed -FilePath '$HostCaller' -ArgumentList WriteLine2, 1, 1, ('handed-' + 'host-text'); 'handed-' + 'armed'"
        WaitFor '(?m)^handed-armed' | Out-Null
        Start-Sleep 3 # the session writes 1.5 s after it was armed
        Send "'handed-' + 'typed'"
        WaitFor '(?m)^handed-typed' | Should -Not -Match 'handed-host-text'
        Send "Invoke-Command `$handed { 'handed-' + 'next' }; 'handed-' + 'waited'"
        WaitFor '(?m)^handed-waited' | Should -Match '(?s)handed-host-text.*handed-next'
        Send "Remove-PSSession `$handed; Remove-Job `$maker -Force"
    }

    It 'keeps your own prompt whole while a session writes with no command of yours in it (the allowed twin: the lines are read as above)' {
        Send "`$writing = New-LandlockSession `$rs; Invoke-Command `$writing -FilePath '$HostCaller' -ArgumentList Write1, 1000000, 0, ((' ' * 50) + `"``r`"), 20"
        $typed = Read-OwnLines 'writing'
        Send "Remove-PSSession `$writing"
        $typed | Should -HaveCount 3
        $typed | Should -Match '^PS '
    }

    # A session's child chooses when it ends: what its own host wrote while you typed, and waits,
    # must not come out then, in the prompt you type at.
    It 'cannot rub out your own prompt with held host text by ending its child while you type' {
        Send "`$ending = New-LandlockSession `$rs; Invoke-Command `$ending -FilePath '$HostCaller' -ArgumentList Write1, 1, 0, (`"``r`" + (' ' * 50) + `"``r`"), 1000; Invoke-Command `$ending { `$null = [powershell]::Create().AddScript({ Start-Sleep 3; [Environment]::Exit(0) }).BeginInvoke() }"
        $typed = Read-OwnLines 'ending'
        Send "Remove-PSSession `$ending"
        $typed | Should -HaveCount 3
        $typed | Should -Match '^PS '
    }

    It 'shows what the session''s own host wrote while you typed when its child ends while you wait for it (the allowed twin)' {
        Send "`$ended = New-LandlockSession `$rs; Invoke-Command `$ended -FilePath '$HostCaller' -ArgumentList WriteLine2, 1, 0, ('ended-' + 'host-text'), 1000; 'ended-' + 'armed'"
        WaitFor '(?m)^ended-armed' | Out-Null
        Start-Sleep 2 # the session writes 1 s after it was armed
        Send "Invoke-Command `$ended { [Environment]::Exit(0) }; 'exit-' + 'waited'"
        WaitFor '(?m)^exit-waited' | Should -Match '(?s)ended-host-text.*exit-waited'
    }

    It 'shows the host text of a command you wait for, carriage returns and all (the allowed twin)' {
        Send "Invoke-Command `$attacker { Write-Host `"wait``rhost-text`" }"
        WaitFor '(?m)^host-text' | Should -Match '(?m)^host-text$'
    }

    It 'sets the caller''s title when given the console (the allowed twin: the title is seen)' {
        Send "`$console = New-LandlockSession `$rs -HostAccess RawUI; Invoke-Command `$console { `$host.UI.RawUI.WindowTitle = 'title-' + 'sandbox' }; Remove-PSSession `$console; 'console' + '-done'"
        WaitFor '(?m)^console-done' | Out-Null
        & tmux display -p -t $Tmux '#{pane_title}' | Should -Be 'title-sandbox'
        Send "Remove-PSSession `$attacker, `$target; 'sessions' + '-removed'"
        WaitFor '(?m)^sessions-removed' | Should -Match 'sessions-removed'
    }
}

# On an 80-column terminal, "[landlock]: " and a prompt of 48 narrow characters leave room for what
# you type. A wide character (CJK, fullwidth, emoji) takes two columns.
Describe 'The [landlock] line of an Enter-PSSession prompt, on an 80-column terminal' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) {
    BeforeAll {
        Start-ModuleTerminal llps-narrow '$narrow = New-LandlockSession (New-LandlockRuleset -Abi V7)' -Width 80
        Send 'Enter-PSSession $narrow'
        WaitFor '(?m)^\[landlock\]: PS .*>' | Out-Null
    }
    AfterAll {
        & tmux kill-session -t $Tmux 2>$null
    }

    # 34 ideographic spaces and "PS /root> " are 44 characters, but 78 columns: the mark's line is
    # full, and the line you type on starts with the sandbox's own "PS /root> ".
    It 'cannot push the line you type on past the [landlock] prefix with wide characters' {
        Send 'function prompt { ([string][char]0x3000 * 34) + "PS /root> " }'
        Read-TypedLine "'wide-' + 'typed'" 'wide-typed' | Should -Match '^\[landlock\]: \[\.\.\.\]\u3000+PS /root> '
    }

    It 'shows a short prompt of wide characters whole (the allowed twin: only what would wrap is cut)' {
        Send 'function prompt { "PS /" + [char]0x65e5 + [char]0x672c + "> " }'
        Read-TypedLine "'short-' + 'wide'" 'short-wide' | Should -Match '^\[landlock\]: PS /\u65e5\u672c> '
    }

    # The console host draws "[landlock]: " right after the prompt command: an attribute the command's
    # host text left set (concealed text, a background the colour of the text) would hide the mark.
    It 'cannot hide the [landlock] prefix with an attribute its host text leaves set' {
        Send 'function prompt { Write-Host -NoNewline "`e[8m`e[107m"; "PS-hidden> " }'
        Read-TypedLine "'conceal-' + 'typed'" 'conceal-typed' | Should -Match '^\[landlock\]: PS-hidden> '
        $marked = & tmux capture-pane -t $Tmux -p -e | Where-Object { $_.Contains("'conceal-'") } | Select-Object -Last 1
        $marked.Substring(0, $marked.IndexOf('[landlock]')) | Should -Not -Match '\e\[[0-9;]*(8|107)m'
    }

    It 'shows the colours of its host text (the allowed twin: the colour reaches the terminal)' {
        Send 'function prompt { Write-Host -NoNewline "`e[31mred-host "; "PS-red> " }'
        Read-TypedLine "'red-' + 'typed'" 'red-typed' | Should -Match '^red-host \[landlock\]: PS-red> '
        & tmux capture-pane -t $Tmux -p -e | Where-Object { $_.Contains("'red-'") } | Select-Object -Last 1 |
            Should -Match '\e\[31mred-host'
    }
}

# The filter reads the prompt's output as PowerShell would, in the caller's process: what it cannot read
# there (a SecureString is encrypted with the client's session key) must not end the session, nor leave
# the caller's shell waiting for a prompt that never comes. The console host runs its prompt command as
# a command "prompt" alone, as these do.
Describe 'A session prompt the filter cannot read' {
    BeforeAll {
        $script:session = New-LandlockSession (New-LandlockRuleset -Abi V7)
        function script:Invoke-Prompt([scriptblock] $Prompt) {
            Invoke-Command $session { param($prompt) Set-Item function:global:prompt $prompt } -ArgumentList $Prompt.ToString()
            $ps = [powershell]::Create()
            try {
                $ps.Runspace = $session.Runspace
                $pending = $ps.AddCommand('prompt').BeginInvoke()
                # Not a timing assertion: what does not come in a minute does not come.
                $pending.AsyncWaitHandle.WaitOne(60000) | Should -BeTrue -Because 'the prompt must come back'
                $ps.EndInvoke($pending)
            }
            finally {
                $ps.Dispose()
            }
        }
    }
    AfterAll {
        Remove-PSSession $session
    }

    It 'shows no text for a SecureString, and the session goes on' {
        Invoke-Prompt { ConvertTo-SecureString 'secret' -AsPlainText -Force } | Should -BeExactly ''
        Invoke-Command $session { 'still-' + 'here' } | Should -BeExactly 'still-here'
    }

    It 'shows a string plain (the allowed twin: the same command is the prompt, and filtered)' {
        Invoke-Prompt { "`rPS> " } | Should -BeExactly "`u{240d}PS> "
    }
}

# A session allowed to prompt (-HostAccess Prompt) may ask you something while a command you sent it
# runs. Between commands you are typing into your own shell: a prompt of the session's own (sent from
# a thread left running in it) would read your keys alongside your shell's line editor, and keep some.
Describe 'A session allowed to prompt, between commands' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) {
    BeforeAll {
        $script:IdlePrompt = Join-Path (Get-PSDrive TestDrive).Root idle-prompt.ps1
        # The session's own host (not a command's) reads a line once $After seconds have passed.
        Set-Content $IdlePrompt @'
param([int] $After)
$instance = [Reflection.BindingFlags]'NonPublic,Instance'
$remoteHost = $host.GetType().GetProperty('ExternalHost', $instance).GetValue($host)
$sessionHost = $remoteHost.GetType().GetField('_serverDriverRemoteHost', $instance).GetValue($remoteHost)
$global:Idle = [powershell]::Create().AddScript({ param($sessionHost, $after) Start-Sleep $after; $sessionHost.UI.ReadLine() }).AddArgument($sessionHost).AddArgument($After)
$global:IdleHandle = $global:Idle.BeginInvoke()
'idle prompt armed'
'@
        Start-ModuleTerminal llps-idle '$p = New-LandlockSession (New-LandlockRuleset -Abi V7) -HostAccess Prompt'
        # Types a line into your own shell (the session's idle read is due by now): it must run whole.
        # Then, after $First, asks the session what its read got: nothing, as it was refused.
        function script:Assert-OwnKeys([string] $Session, [string] $Tag, [string] $First) {
            & tmux send-keys -t $Tmux -l "'mine-' + '$Tag'"
            & tmux send-keys -t $Tmux Enter
            WaitFor "(?m)^mine-$Tag" | Should -Match "(?m)^mine-$Tag"
            Send "$First Invoke-Command `$$Session { try { 'sandbox-got-$Tag [' + `$global:Idle.EndInvoke(`$global:IdleHandle) + ']' } catch { 'sandbox-got-$Tag []' } }"
            WaitFor "(?m)^sandbox-got-$Tag" | Should -Match "(?m)^sandbox-got-$Tag \[\]"
        }
    }
    AfterAll {
        & tmux kill-session -t $Tmux 2>$null
    }

    It 'asks you from a command you sent it (the allowed twin)' {
        Send "Invoke-Command `$p { 'got ' + (Read-Host 'word') }"
        WaitFor '(?m)^\[sandbox\]' | Should -Match '(?m)^\[sandbox\]'
        Send 'zebra'
        WaitFor '(?m)^got ' | Should -Match '(?m)^got zebra'
    }

    # PowerShell carries out the second call of a host method through an emitted stub, whose frame
    # the check for the session's own host once choked on: every prompt after the first failed.
    It 'asks you again from the next command you send it (the allowed twin, every time)' {
        foreach ($word in 'lemon', 'mango') {
            Send "Invoke-Command `$p { 'again ' + (Read-Host 'word') }"
            WaitFor '(?m)^\[sandbox\]\s+word:\s*$|Read-Host:' | Should -Not -Match 'Read-Host:'
            Send $word
            WaitFor "(?m)^again $word" | Should -Match "(?m)^again $word"
        }
    }

    It 'asks you from a command you sent a session a thread job made on your host (the allowed twin)' {
        Send "`$maker = Start-ThreadJob -StreamingHost `$Host { Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'; New-LandlockSession (New-LandlockRuleset -Abi V7) -HostAccess Prompt; Start-Sleep 600 }; while (-not (`$handed = `$maker | Receive-Job)) { Start-Sleep -Milliseconds 100 }; Invoke-Command `$handed { 'handed got ' + (Read-Host 'word') }"
        WaitFor '(?m)^\[sandbox\]\s+word:\s*$|Read-Host:' | Should -Not -Match 'Read-Host:'
        Send 'plum'
        WaitFor '(?m)^handed got ' | Should -Match '(?m)^handed got plum'
        Send 'Remove-PSSession $handed; Remove-Job $maker -Force'
    }

    It 'asks you from a job you sent it, once you wait for the job (the allowed twin)' {
        Send "`$r = Invoke-Command `$p { 'job got ' + (Read-Host 'word') } -AsJob; 'job' + '-sent'"
        WaitFor '(?m)^job-sent' | Should -Match 'job-sent'
        Send 'Receive-Job $r -Wait -AutoRemoveJob'
        WaitFor '(?m)^word:' | Should -Match '(?m)^\[sandbox\]\s+word:'
        Send 'kiwi'
        WaitFor '(?m)^job got ' | Should -Match '(?m)^job got kiwi'
    }

    # A command sent from a thread job runs while you are back at your own prompt: its prompt read the
    # keys you typed into your shell, and your line editor drew over its mark. The thread job that
    # made a session on your host is not your shell either.
    It 'reads none of the keys you type into your own shell from a command <Name> sent it' -TestCases @(
        @{ Name = 'a thread job'; Tag = 'thread'; Streaming = ''; Job = 'Invoke-Command $using:p PROBE' }
        @{ Name = 'the thread job that made it'; Tag = 'maker'; Streaming = '-StreamingHost $Host '
            Job = 'Import-Module MODULE; $s = New-LandlockSession (New-LandlockRuleset -Abi V7) -HostAccess Prompt; Invoke-Command $s PROBE; Remove-PSSession $s' }
    ) {
        $probe = "{ Start-Sleep 2; try { 'sandbox-got-$Tag [' + (Read-Host) + ']' } catch { 'sandbox-got-$Tag refused' } }"
        $job = $Job.Replace('PROBE', $probe).Replace('MODULE', "'$(Join-Path $RepoRoot 'LandlockPS.psd1')'")
        Send "`$t = Start-ThreadJob $Streaming{ $job }; '$Tag' + '-started'"
        WaitFor "(?m)^$Tag-started" | Should -Match "$Tag-started"
        Start-Sleep 6
        & tmux send-keys -t $Tmux -l "'mine-' + '$Tag'"
        & tmux send-keys -t $Tmux Enter
        WaitFor "(?m)^mine-$Tag" | Should -Match "(?m)^mine-$Tag"
        Send 'Receive-Job $t -Wait -AutoRemoveJob'
        WaitFor "(?m)^sandbox-got-$Tag" | Should -Match "(?m)^sandbox-got-$Tag refused"
    }

    It 'reads none of the keys you type into your own shell' {
        Send "Invoke-Command `$p -FilePath '$IdlePrompt' -ArgumentList 2"
        WaitFor '(?m)^idle prompt armed' | Should -Match 'idle prompt armed'
        Start-Sleep 5
        Assert-OwnKeys -Session p -Tag typed
        Send "Remove-PSSession `$p; 'session' + '-removed'"
        WaitFor '(?m)^session-removed' | Should -Match 'session-removed'
    }

    # A command sent with -AsJob stays open in the session while you are back at your own prompt:
    # you wait for nothing, and type into your own shell.
    It 'reads none of the keys you type into your own shell while a job you sent it runs' {
        # The guard counts an -AsJob command as one you wait for: the session's own host (a host call of
        # the whole session, carried out at once) must not read your terminal even then.
        Send "`$q = New-LandlockSession (New-LandlockRuleset -Abi V7) -HostAccess Prompt; Invoke-Command `$q -FilePath '$IdlePrompt' -ArgumentList 4; `$j = Invoke-Command `$q { Start-Sleep 120 } -AsJob; 'job' + '-started'"
        WaitFor '(?m)^job-started' | Should -Match 'job-started'
        Start-Sleep 8
        Assert-OwnKeys -Session q -Tag while-job -First '$j | Stop-Job -PassThru | Remove-Job;'
        Send "Remove-PSSession `$q"
    }
}

# What a block writes reaches the caller's terminal on the caller's pipeline thread; a prompt comes on
# another. The mark a prompt shows must come after everything the block wrote before the prompt: text
# still on its way would push it out of sight, and leave the block's own "password" line where you type.
Describe 'A prompt after a flood of host text' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) {
    BeforeAll {
        Start-ModuleTerminal llps-flood '$rs = New-LandlockRuleset -Abi V7'
    }
    AfterAll {
        & tmux kill-session -t $Tmux 2>$null
    }

    It 'shows its mark on the line you type on, after all the text before it' {
        Send ("Invoke-Sandboxed -Ruleset `$rs -HostAccess Prompt { Write-Host ((1..300000 | ForEach-Object { `"line `$_`" }) -join `"``n`"); " +
            "1..100 | ForEach-Object { Write-Host `"after `$_`" }; Write-Host -NoNewline 'Secret: '; 'typed ' + (Read-Host) }; 'flood' + '-done'")
        WaitFor '(?m)^Secret: ' | Out-Null
        # The terminal may still be drawing what came before.
        Start-Sleep 3
        $lines = @((& tmux capture-pane -t $Tmux -p) | Where-Object { $_.Trim() })
        $lines[-2] | Should -Be 'after 100'
        $lines[-1] | Should -Match '^Secret: .*\[sandbox\]'
        Send 'zebra'
        WaitFor '(?m)^flood-done' | Should -Match '(?m)^typed zebra'
    }
}

# PowerShell carries out a session's own host calls on a thread of its own, apart from a command's:
# without a wait, a command ends (and the prompt after it is drawn) long before the last of a burst
# is written, and the rest lands after the prompt, where it can rub out a [landlock] mark.
Describe 'A session''s own host calls, at the end of a command' {
    It 'are carried out before the command returns, every one of them' {
        $file = Join-Path $TestDrive 'burst.ps1'
        Set-Content $file @"
Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'
`$s = New-LandlockSession (New-LandlockRuleset -Abi V7)
`$null = Invoke-Command `$s -FilePath '$HostCaller' -ArgumentList WriteLine2, 3000, 0, @('burst-' + 'line'), 0
# Most of the burst comes while no command runs, and waits; the rest while this one runs, which ends once all is sent.
Start-Sleep 1
Invoke-Command `$s { while (`$global:HostCalls.InvocationStateInfo.State -eq 'Running') { Start-Sleep -Milliseconds 20 } }
'after-' + 'command'
# Time for what is still carried out to show.
Start-Sleep 1
Remove-PSSession `$s
"@
        $lines = @(& (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $file 2>&1 | ForEach-Object { "$_" })
        $after = [array]::IndexOf($lines, 'after-command')
        $after | Should -BeGreaterThan 0 -Because ($lines[-5..-1] -join "`n")
        @($lines[$after..($lines.Count - 1)] -eq 'burst-line') | Should -HaveCount 0
        # The allowed twin: nothing is lost.
        @($lines -eq 'burst-line') | Should -HaveCount 3000
    }

    # Read at the close, the calls that waited are the sandbox's CLIXML: the caller's type data for
    # the type names it chose (here, one that turns an object into text by the caller's own script)
    # must not run on them, as it does not on the same call while the caller waits.
    It 'are written at the close as sent, never through the caller''s type data for what the sandbox chose' {
        $file = Join-Path $TestDrive 'chosen.ps1'
        Set-Content $file @"
Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'
`$global:chosenRan = `$false
Update-TypeData -TypeName Deserialized.Chosen -MemberType ScriptMethod -MemberName ToString -Value { `$global:chosenRan = `$true; 'chosen-' + 'text' } -Force
Update-TypeData -TypeName Deserialized.Chosen -TargetTypeForDeserialization ([string]) -Force
`$s = New-LandlockSession (New-LandlockRuleset -Abi V7)
`$chosen = [pscustomobject]@{ a = 1 }
`$chosen.PSObject.TypeNames.Insert(0, 'Chosen')
`$null = Invoke-Command `$s -FilePath '$HostCaller' -ArgumentList WriteLine2, 1, 1, @('honest-' + 'held'), 0
`$null = Invoke-Command `$s -FilePath '$HostCaller' -ArgumentList WriteLine2, 1, 1, @(`$chosen), 0
# The calls come while no command runs, and wait for the close.
Start-Sleep 3
Remove-PSSession `$s
'ran-' + `$global:chosenRan
"@
        $lines = @(& (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $file 2>&1 | ForEach-Object { "$_" })
        $lines | Should -Contain 'honest-held' -Because ($lines -join "`n")
        $lines | Should -Contain 'ran-False'
        $lines | Should -Not -Contain 'chosen-text'
    }

    # PowerShell's reader rehydrates an object typed as a CIM instance through a native library,
    # and fails as that fails (here DllNotFoundException, with no libmi): still, the session closes.
    It 'let the caller close the session whatever they hold: an object PowerShell fails to read as a CIM instance' {
        $cimCaller = Join-Path $TestDrive 'cim-caller.ps1'
        $param, $rest = (Get-Content $HostCaller -Raw) -split "`n", 2
        Set-Content $cimCaller ($param + "`n" + @'
$class = [pscustomobject]@{ ClassName = 'Y'; Namespace = 'root/x'; ServerName = 'z'; Hash = 1; MiXml = '<CLASS NAME="Y">' }
$instance = [pscustomobject]@{ a = 1 }
$instance.PSObject.TypeNames.Insert(0, 'Microsoft.Management.Infrastructure.CimInstance')
$instance | Add-Member -NotePropertyName __ClassMetadata -NotePropertyValue ([Collections.ArrayList]@($class))
$Arguments = @($instance)

'@ + $rest)
        $file = Join-Path $TestDrive 'cim.ps1'
        Set-Content $file @"
Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'
`$s = New-LandlockSession (New-LandlockRuleset -Abi V7)
`$null = Invoke-Command `$s -FilePath '$HostCaller' -ArgumentList WriteLine2, 1, 1, @('honest-' + 'held'), 0
`$null = Invoke-Command `$s -FilePath '$cimCaller' -ArgumentList WriteLine2, 1, 1, @(), 0
# The calls come while no command runs, and wait for the close.
Start-Sleep 3
Remove-PSSession `$s
'session-' + `$s.State
"@
        $out = Join-Path $TestDrive 'cim.out'
        $caller = Start-Process (Join-Path $PSHOME 'pwsh') -ArgumentList '-NoProfile', '-NonInteractive', '-File', $file -RedirectStandardOutput $out -PassThru
        # Not a timing assertion: a close that has not ended in a minute does not end.
        if (-not $caller.WaitForExit(60000)) { $caller.Kill($true) }
        $lines = @(Get-Content $out)
        $lines | Should -Contain 'honest-held'
        $lines | Should -Contain 'session-Closed' -Because ($lines -join "`n")
    }

    # Red team (round 7), false positives: an honest session whose own host writes all the time (an
    # event action on a timer, which PowerShell runs on the session's host while no command runs),
    # used the ways a caller uses one (every 50 ms: PowerShell's own event engine was seen to abort
    # at 5 ms). Most commands' ends then have a catch-up; none may break the
    # session, lose or repeat host text or output. (Its order is PowerShell's: a command's own host
    # calls and the session's are carried out on two threads, with or without LandlockPS.)
    It 'keeps an honest session whose own host writes all the time, used as callers do: nothing lost, nothing twice' {
        $file = Join-Path $TestDrive 'chatty.ps1'
        Set-Content $file @"
Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'
`$s = New-LandlockSession (New-LandlockRuleset -Abi V7)
# Before the writer starts: while Import-PSSession runs, PowerShell's client carries out some host calls twice, LandlockPS or not.
`$null = Import-PSSession `$s -CommandName Get-Date -Prefix Chatty -AllowClobber
'imported-' + [bool] (Get-ChattyDate)
`$s.Runspace.ResetRunspaceState()
`$null = Invoke-Command `$s { `$global:n = 0; `$global:t = [Timers.Timer]::new(50); `$null = Register-ObjectEvent `$global:t Elapsed -Action { `$global:n++; Write-Host "tick `$global:n" }; `$global:t.Start() }
Start-Sleep 1
foreach (`$k in 1..100) { Invoke-Command `$s { param(`$k) "out `$k" } -ArgumentList `$k }
`$job = Invoke-Command `$s { 1..5 | ForEach-Object { Start-Sleep -Milliseconds 50; "job `$_" } } -AsJob
Receive-Job `$job -Wait -AutoRemoveJob
`$job = Invoke-Command `$s { Start-Sleep 30 } -AsJob
Start-Sleep 1
Stop-Job `$job; Remove-Job `$job -Force
`$ps = [powershell]::Create(); `$ps.Runspace = `$s.Runspace; `$null = `$ps.AddScript('Start-Sleep 30').BeginInvoke(); Start-Sleep 1; `$ps.Stop(); `$ps.Dispose()
Invoke-Command `$s { `$global:t.Stop(); Start-Sleep -Milliseconds 300; "last `$global:n" }
Invoke-Command `$s { 'state-' + 'end' }
'session-' + `$s.State
Remove-PSSession `$s
"@
        $lines = @(& (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $file 2>&1 | ForEach-Object { "$_" })
        $lines | Should -Contain 'session-Opened' -Because ($lines[-5..-1] -join "`n")
        @($lines -like 'out *') | Should -Be @(1..100 | ForEach-Object { "out $_" })
        @($lines -like 'job *') | Should -Be @(1..5 | ForEach-Object { "job $_" })
        $lines | Should -Contain 'imported-True'
        [int] $last = ($lines -like 'last *')[0].Split(' ')[1]
        $last | Should -BeGreaterThan 30
        # Events queued before the timer stopped may still run after: what comes, comes once, with none missing before it.
        $ticks = @($lines -like 'tick *' | ForEach-Object { [int] $_.Split(' ')[1] } | Sort-Object)
        $ticks[-1] | Should -BeGreaterOrEqual $last
        $ticks | Should -Be @(1..$ticks[-1])
    }

    # The transport's own call goes on the prompt response stream, which PowerShell's server never
    # sends on: begun there and left unfinished, an object would swallow the call, and the wait
    # would last its whole deadline at the end of every command.
    It 'ends a session that sends on its prompt response stream, where only the client sends' {
        $s = New-LandlockSession (New-LandlockRuleset -Abi V7)
        try {
            Invoke-Command $s { 1 + 1 } | Should -Be 2 -Because 'the allowed twin: the session works'
            { Invoke-Command $s -FilePath $Unfinished -ErrorAction Stop } | Should -Throw -ExpectedMessage '*prompt response stream, on which only the client sends*'
            $s.State | Should -Be 'Broken'
        }
        finally {
            Remove-PSSession $s
        }
    }


    # Red team: a session host call PowerShell fails to carry out (an unknown method: its decoding
    # throws) breaks the session, and PowerShell closes it: the transport's own call after it is
    # never carried out, and the command's end waited for it the catch-up's whole bound (10 s).
    It 'does not hold a command''s end for its whole bound after a session host call PowerShell cannot carry out' {
        $s = New-LandlockSession (New-LandlockRuleset -Abi V7)
        $call = {
            param([int] $MethodId)
            $asm = [psobject].Assembly
            $instance = [Reflection.BindingFlags]'NonPublic,Instance'
            $mediator = $asm.GetType('System.Management.Automation.Remoting.Server.StdIOProcessMediator')
            $session = $mediator.BaseType.GetField('sessionTM', $instance).GetValue($mediator.GetField('s_singletonInstance', [Reflection.BindingFlags]'NonPublic,Static').GetValue($null))
            $writer = $session.GetType().GetField('_stdOutWriter', $instance).GetValue($session)
            $remoteHost = $host.GetType().GetProperty('ExternalHost', $instance).GetValue($host)
            $executor = $asm.GetType('System.Management.Automation.Remoting.ServerRemoteHost').GetField('_serverMethodExecutor', $instance).GetValue($remoteHost)
            [guid] $pool = $executor.GetType().GetField('_clientRunspacePoolId', $instance).GetValue($executor)
            function BigEndian([long] $value, [int] $bytes) { $b = [BitConverter]::GetBytes($value); [array]::Reverse($b); $b[(8 - $bytes)..7] }
            $xml = '<Obj RefId="0"><MS><I64 N="ci">-100</I64><Obj N="mi" RefId="1"><TN RefId="0"><T>System.Management.Automation.Remoting.RemoteHostMethodId</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN>' +
                "<ToString>WriteLine2</ToString><I32>$MethodId</I32></Obj><Obj N=`"mp`" RefId=`"2`"><TN RefId=`"1`"><T>System.Collections.ArrayList</T><T>System.Object</T></TN><LST><S>call-text</S></LST></Obj></MS></Obj>"
            $message = [IO.MemoryStream]::new()
            $message.Write([BitConverter]::GetBytes([uint32]1)); $message.Write([BitConverter]::GetBytes([uint32]0x00021100))
            $message.Write($pool.ToByteArray()); $message.Write([guid]::Empty.ToByteArray()); $message.Write([byte[]](0xEF, 0xBB, 0xBF)); $message.Write([Text.Encoding]::UTF8.GetBytes($xml))
            $fragment = [IO.MemoryStream]::new()
            $fragment.Write([byte[]]@((BigEndian 777 8) + (BigEndian 0 8) + [byte]3 + (BigEndian $message.Length 4))); $fragment.Write($message.ToArray())
            $writer.WriteLine("<Data Stream='Default' PSGuid='$([guid]::Empty)'>$([Convert]::ToBase64String($fragment.ToArray()))</Data>")
            'call-' + 'sent'
        }
        try {
            # The allowed twin: WriteLine(string), carried out; the session goes on.
            $watch = [Diagnostics.Stopwatch]::StartNew()
            Invoke-Command $s $call -ArgumentList 16 6>$null | Should -Be 'call-sent'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
            $s.State | Should -Be 'Opened'
            $watch.Restart()
            try { $null = Invoke-Command $s $call -ArgumentList 999 -ErrorAction Stop } catch { }
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        }
        finally {
            Remove-PSSession $s
        }
    }

    It 'keeps a session whose own host wrote during a command (the allowed twin: the same calls, nothing unfinished)' {
        $s = New-LandlockSession (New-LandlockRuleset -Abi V7)
        try {
            $null = Invoke-Command $s -FilePath $HostCaller -ArgumentList Write1, 1, 1, @(''), 0
            Invoke-Command $s { Start-Sleep 2; 'still-' + 'open' } | Should -Be 'still-open'
            $s.State | Should -Be 'Opened'
        }
        finally {
            Remove-PSSession $s
        }
    }
}
