# -Terminal as a person uses it: a pwsh at a real terminal (tmux) runs interactive programs, types keys
# at them, resizes the window, and gets its own terminal back however the run ends.
BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Invoke-Sandboxed -Terminal at a real terminal' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) {
    BeforeAll {
        $script:Project = New-Item -ItemType Directory (Join-Path TestDrive: project)
        Set-Content (Join-Path $Project inject.py) @'
import fcntl, sys, termios
for c in sys.argv[1]:
    fcntl.ioctl(0, termios.TIOCSTI, c.encode())
'@
        $script:Tmux = Start-Terminal "llps-terminal-$PID" -Directory $Project.FullName
        $script:PaneTty = & tmux display-message -p -t $Tmux '#{pane_tty}'
        $script:Marker = 0
        function script:Send([string] $Line) { Send-TerminalLine $Tmux $Line }
        function script:Keys { & tmux send-keys -t $Tmux @args }
        function script:WaitFor([string] $Pattern) { $screen = Wait-TerminalText $Tmux $Pattern; $screen | Should -Match $Pattern; $screen }
        # Runs a line at the prompt and waits until it is done; markers are built when the line runs,
        # so the echo of the typed line never matches them.
        function script:Run([string] $Line) {
            $n = ++$script:Marker
            & tmux clear-history -t $Tmux
            Send "$Line; 'done' + '-$n'"
            # Not anchored: what a program echoed last may share the line.
            WaitFor "done-$n\b"
        }
        # The pane's terminal modes while pwsh runs a command that reads nothing: what a run left behind.
        # (.NET also re-applies its own modes when a child exits; TerminalTests checks the restore itself.)
        function script:Modes([string] $Before) {
            $n = ++$script:Marker
            Send "$Before; 'sleeping' + '-$n'; Start-Sleep 3; 'awake' + '-$n'"
            $null = WaitFor "(?m)^sleeping-$n"
            & stty -g -F $PaneTty
            $null = WaitFor "(?m)^awake-$n"
        }
        $null = WaitFor '(?m)^PS .*>'
        $null = Run ("Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'; " +
            '$rs = New-LandlockRuleset -Abi V7 | Add-LandlockPathRule /usr, /etc, /lib, /lib64 ReadExecute -IgnoreMissing -PassThru | ' +
            'Add-LandlockPathRule /proc ReadOnly -PassThru | Add-LandlockPathRule /dev/null ReadFile, WriteFile -PassThru | Add-LandlockPathRule . ReadWrite -PassThru')
        $script:CallerModes = Modes "'baseline'"
    }
    AfterAll {
        & tmux kill-session -t $Tmux 2>$null
    }

    It 'gives bash -i a private controlling terminal of the window''s size, with job control' {
        Send '$rs | Invoke-Sandboxed -Terminal bash -- --norc --noprofile -i'
        $null = WaitFor '(?m)^bash-[\d.]+#'
        & stty -g -F $PaneTty | Should -Not -Be $CallerModes   # raw while relayed
        Send 'tty; stty size'
        $screen = WaitFor '(?m)^\d+ \d+\s*$'
        $screen | Should -Match '(?m)^/dev/pts/\d+\s*$'
        $screen | Should -Not -Match ('(?m)^' + [regex]::Escape($PaneTty) + '\s*$')
        $screen | Should -Match '(?m)^50 220\s*$'
        & tmux resize-window -t $Tmux -x 180 -y 40
        Send 'stty size'
        $null = WaitFor '(?m)^40 180\s*$'
        & tmux resize-window -t $Tmux -x 220 -y 50
        Send 'sleep 100'
        Start-Sleep 1
        Keys C-z
        $null = WaitFor 'Stopped\s+sleep 100'
        Send 'fg'
        Start-Sleep 1
        Keys C-c
        Send 'echo $((6 * 7))'
        $null = WaitFor '(?m)^42\s*$'
        Send 'exit 7'
        Run '"exit-$LASTEXITCODE"' | Should -Match '(?m)^exit-7'
    }

    It 'runs vim, top and less' {
        Send '$rs | Invoke-Sandboxed -Terminal vim -- -u NONE -N ./note.txt'
        $null = WaitFor '"(\./)?note\.txt" \[New\]'
        Keys i 'written by vim' Escape ':wq' Enter
        $null = Run "'vim-' + 'closed'"
        Get-Content (Join-Path $Project note.txt) | Should -Be 'written by vim'

        Send '$rs | Invoke-Sandboxed -Terminal top'
        $null = WaitFor 'Tasks:.*total'
        Keys q
        $null = Run "'top-' + 'closed'"

        Send '$rs | Invoke-Sandboxed -Terminal less /etc/services'
        $null = WaitFor '(?m)^tcpmux'
        Keys q
        $null = Run "'less-' + 'closed'"
    }

    It 'gives the caller''s terminal its modes back, and sets $LASTEXITCODE, when the run <Ending>' -TestCases @(
        @{ Ending = 'exits'; Line = '$rs | Invoke-Sandboxed -Terminal sh -- -c "exit 3"'; ExitCode = 3 }
        @{ Ending = 'is interrupted by Ctrl+C'; Line = '$rs | Invoke-Sandboxed -Terminal sh -- -c "echo pid-`$`$; exec sleep 100"'; Keys = 'C-c'; ExitCode = 130 }
        @{ Ending = 'times out'; Line = '$rs | Invoke-Sandboxed -Terminal -TimeoutSec 1 sleep 100 -ErrorAction SilentlyContinue'; ExitCode = 143 }
        @{ Ending = 'is killed from outside'; Line = '$rs | Invoke-Sandboxed -Terminal sh -- -c "echo pid-`$`$; sleep 100"'; Kill = $true; ExitCode = 137 }
        @{ Ending = 'ends in a terminating error'; Line = 'try { $rs | Invoke-Sandboxed -Terminal -TimeoutSec 1 sleep 100 -ErrorAction Stop } catch { "caught" }'; ExitCode = 143 }
    ) {
        $n = ++$script:Marker
        Send "$Line; 'ended' + '-$n'"
        # Keys and kills only once the program runs (it says its pid, right after the typed line):
        # earlier, Ctrl+C would stop the prompt's line.
        $started = "'ended' \+ '-$n'\s*\n\s*pid-(\d+)"
        if ($Keys -or $Kill) { $screen = WaitFor $started }
        if ($Keys) { Keys $Keys }
        if ($Kill) { kill -KILL ([regex]::Match($screen, $started).Groups[1].Value) }
        # Not at the start of a line: the terminal echoed ^C, with no new line after it.
        $null = WaitFor "ended-$n"
        Modes '"code-$LASTEXITCODE"' | Should -Be $CallerModes
        Run '"exit-$LASTEXITCODE"' | Should -Match "(?m)^exit-$ExitCode"
    }

    It 'keeps a program run without -Terminal off the caller''s terminal: a session of its own, even where /dev/tty is allowed' {
        $probe = 'read -r pid comm state ppid pgrp session rest < /proc/self/stat; echo sid-$session-pid-$pid; exec 3</dev/tty && echo tty-open'
        # The twin: the same program, unconfined, opens the caller's terminal.
        Run "& /bin/sh -c '$($probe -replace 'tty-open', 'twin-opened')'" | Should -Match '(?m)^twin-opened'
        $screen = Run ('New-LandlockRuleset -Abi V7 | Add-LandlockPathRule /usr, /etc, /lib, /lib64 ReadExecute -IgnoreMissing -PassThru | ' +
            "Add-LandlockPathRule /proc ReadOnly -PassThru | Add-LandlockPathRule /dev/tty ReadWrite -PassThru | Invoke-Sandboxed /bin/sh -- -c '$probe'")
        # The last: the twin's may still be on the screen.
        $ids = [regex]::Matches($screen, 'sid-(\d+)-pid-(\d+)')[-1]
        $ids.Success | Should -BeTrue
        $ids.Groups[1].Value | Should -Be $ids.Groups[2].Value
        $screen | Should -Not -Match '(?m)^tty-open'
    }

    It 'lets TIOCSTI type only into the child''s own terminal, never the caller''s' -Skip:((Get-Content /proc/sys/dev/tty/legacy_tiocsti -ErrorAction Ignore) -eq '0') {
        # The twin: a program on the caller's own terminal types a command at the caller's prompt,
        # and Enter runs it.
        $null = Run "& /usr/bin/python3 ./inject.py `"'inj' + 'ected-0'`""
        Keys Enter
        $null = WaitFor '(?m)^injected-0'
        # The same program on its private terminal: what it types stays there; Enter runs nothing.
        $null = Run "`$rs | Invoke-Sandboxed -Terminal /usr/bin/python3 ./inject.py `"'inj' + 'ected-1'`""
        Keys Enter
        $null = Run "'enter-' + 'pressed'"
        (& tmux capture-pane -t $Tmux -p -S -200) -join "`n" | Should -Not -Match '(?m)^injected-1'
    }
}
