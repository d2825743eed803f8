# README's code, run as written: the headline block at a real terminal (it ends in Enter-PSSession),
# the tour in this session. Both from a project folder of their own, as a reader would run them.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $readme = Get-Content -Raw (Join-Path $RepoRoot README.md)
    $script:Headline = [regex]::Match($readme, '(?s)```powershell\n(.*?)\n```').Groups[1].Value
    $script:Tour = [regex]::Match($readme, '(?s)## A 30-second tour\s*```powershell\n(.*?)\n```').Groups[1].Value
}

Describe 'The README tour' {
    It 'runs as written, each line doing what its comment says' {
        $Tour | Should -Not -BeNullOrEmpty
        $project = New-Item -ItemType Directory (Join-Path TestDrive: tour)
        Push-Location $project
        try {
            $ErrorActionPreference = 'Continue'
            $all = & ([scriptblock]::Create($Tour)) *>&1
        }
        finally { Pop-Location }

        $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors.FullyQualifiedErrorId | Should -Be 'TimeoutExceeded,LandlockPS.Commands.InvokeSandboxedCommand',
            'GetContentReaderUnauthorizedAccessError,Microsoft.PowerShell.Commands.GetContentCommand'
        $errors[1].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $text = @($all | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$($_.MessageData)" })
        $text | Should -Contain 'cat: /etc/hostname: Permission denied'
        $all | Where-Object { $_ -is [string] } | Select-Object -First 3 | Should -Be (Get-ChildItem /usr | Select-Object -First 3).Name
        ($all | Where-Object { $_ -is [LandlockPS.Core.Landlock.LandlockAccessExplanation] }).Allowed | Should -BeFalse
        Join-Path $project policy.toml | Should -Exist
        @($all | Where-Object { $_ -is [LandlockPS.Core.Landlock.LandlockRuleset] }) | Should -HaveCount 1
    }
}

Describe 'The README headline' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) {
    BeforeAll {
        # A project as the headline imagines it: a Makefile whose build writes into ./out.
        $script:Project = New-Item -ItemType Directory (Join-Path TestDrive: headline)
        $null = New-Item -ItemType Directory (Join-Path $Project out)
        Set-Content (Join-Path $Project Makefile) "all:`n`techo built > out/result.txt"
        $script:Tmux = Start-Terminal "llps-readme-$PID" -Directory $Project.FullName
        function script:WaitFor([string] $Pattern) { Wait-TerminalText $Tmux $Pattern }
    }
    AfterAll {
        & tmux kill-session -t $Tmux 2>$null
    }

    It 'runs as written at a terminal, from the project folder, into a confined shell there' {
        WaitFor '(?m)^PS .*>' | Should -Match '(?m)^PS .*>'
        Send-TerminalLine $Tmux "Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'"
        foreach ($line in $Headline -split "`n") { Send-TerminalLine $Tmux $line }
        $prompt = '(?m)^\[landlock\]: PS ' + [regex]::Escape($Project.FullName) + '>'
        $screen = WaitFor $prompt
        $screen | Should -Match $prompt
        # make wrote into ./out, the block listed it, sort got the caller's /etc/passwd.
        Get-Content (Join-Path $Project out/result.txt) | Should -Be 'built'
        $screen | Should -Match '(?m)result\.txt\s*$'
        $screen | Should -Match '(?m)^root:x:0:0:'
        Send-TerminalLine $Tmux "'in-' + (Split-Path `$PWD -Leaf)"
        WaitFor '(?m)^in-headline' | Should -Match '(?m)^in-headline'
        Send-TerminalLine $Tmux 'exit'
        Send-TerminalLine $Tmux "Remove-PSSession `$s; 'session' + '-removed'"
        WaitFor '(?m)^session-removed' | Should -Match '(?m)^session-removed'
    }
}

# README's first command ends in build.ps1 -Task Demo, which runs demo/Demo.ps1 in a fresh pwsh.
Describe 'The demo (README''s first command)' {
    It 'runs to the end, and finds no thread of its pwsh under a sandbox' {
        # The demo counts this pwsh's confined threads while others come and go (the thread pool, the
        # launch threads): one that ended between listing and reading failed the whole demo.
        $out = & (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -File (Join-Path $RepoRoot demo/Demo.ps1) *>&1 |
            ForEach-Object { "$_" -replace '\e\[[0-9;]*m' }
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'threads of this pwsh under a sandbox: 0'
    }
}
