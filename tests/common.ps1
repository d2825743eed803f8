# Shared set-up for every Pester file: import the built module from the repository, as a user would.
$script:RepoRoot = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $script:RepoRoot 'LandlockPS.psd1') -Force -ErrorAction Stop

# A ruleset that lets a child run the system's programs and nothing more: read/execute the system
# tree, read/write /dev/null. Pinned to ABI V7 at most so runs on this kernel are fully enforced
# (no partial-enforcement warning in the tests' output).
function New-SystemRuleset {
    param([string] $Name = 'system')
    $abi = [LandlockPS.Core.Landlock.LandlockAbi][Math]::Min(7, [int](Get-LandlockAbi).EffectiveAbi)
    New-LandlockRuleset -Name $Name -Abi $abi |
        Add-LandlockPathRule -Path /usr, /bin, /lib, /lib64, /etc -Access ReadExecute -IgnoreMissing -PassThru |
        Add-LandlockPathRule -Path /dev/null -Access ReadFile, WriteFile -PassThru
}

# Skips the running test, saying why, where the kernel's Landlock ABI is older than -Minimum (or has
# reached -Below): a test of what the kernel enforces cannot pass on a kernel without it, and must not
# fail there either (go-landlock's RequireABI). Call it first in an It.
function Skip-UnlessLandlockAbi([int] $Minimum, [int] $Below = 0) {
    $kernel = (Get-LandlockAbi).KernelAbi
    if ($kernel -lt $Minimum) { Set-ItResult -Skipped -Because "it needs Landlock ABI $Minimum or newer; this kernel has $kernel" }
    elseif ($Below -and $kernel -ge $Below) { Set-ItResult -Skipped -Because "it needs a kernel before Landlock ABI $Below; this kernel has $kernel" }
}

# Two rulesets mean the same: ABI, handled rights, scopes, and the same rules in any order.
function Assert-SameRuleset($Expected, $Actual) {
    $Actual.Abi | Should -Be $Expected.Abi
    $Actual.HandledAccessFs | Should -Be $Expected.HandledAccessFs
    $Actual.HandledAccessNet | Should -Be $Expected.HandledAccessNet
    $Actual.Scope | Should -Be $Expected.Scope
    ($Actual.PathRules | Sort-Object Path | Out-String) | Should -Be ($Expected.PathRules | Sort-Object Path | Out-String)
    ($Actual.NetRules | Sort-Object Port | Out-String) | Should -Be ($Expected.NetRules | Sort-Object Port | Out-String)
}

# Threads of this pwsh that have no_new_privs set or a seccomp filter: a confined thread would.
# Threads come and go (the thread pool), so one that ends between listing and reading is simply not there.
function Get-RestrictedThread {
    Get-ChildItem /proc/$PID/task -Directory | Where-Object {
        (Get-Content -Raw -ErrorAction Ignore (Join-Path $_.FullName status)) -match '(?m)^(NoNewPrivs:\s+1|Seccomp:\s+[12])'
    } | ForEach-Object Name
}

# Processes whose parent is this pwsh: after every test, there should be none.
function Get-ChildProcessId {
    Get-ChildItem /proc -Directory | Where-Object Name -Match '^\d+$' | ForEach-Object {
        $stat = Get-Content -Raw -ErrorAction Ignore "/proc/$($_.Name)/stat"
        if ($stat -and [int](($stat.Substring($stat.LastIndexOf(')') + 2)) -split ' ')[1] -eq $PID) { [int]$_.Name }
    }
}

# Whether a process still runs (a zombie waiting for its reaper does not count). SIGKILL lands
# asynchronously, so give it a moment.
function Test-ProcessAlive([int] $ProcessId) {
    $deadline = [DateTime]::UtcNow.AddSeconds(2)
    do {
        $stat = Get-Content -Raw -ErrorAction Ignore "/proc/$ProcessId/stat"
        if (-not $stat -or $stat.Substring($stat.LastIndexOf(')') + 2, 1) -eq 'Z') { return $false }
        Start-Sleep -Milliseconds 20
    } while ([DateTime]::UtcNow -lt $deadline)
    $true
}

# Whether this process ignores a signal (SigIgn in /proc/self/status): as SIGHUP under nohup. The
# processes it starts inherit that, so a test that needs them to die of it cannot run.
function Test-SignalIgnored([int] $Number) {
    $mask = [Convert]::ToUInt64(((Get-Content /proc/self/status) -match '^SigIgn:')[0].Split("`t")[-1], 16)
    ($mask -band (1uL -shl ($Number - 1))) -ne 0
}

# A pwsh at a real terminal (tmux), for what needs a person: Enter-PSSession, Read-Host, -Terminal.
# -Environment sets variables for that pwsh only (tmux -e); -Directory is where it starts; -Width its columns.
function Start-Terminal([string] $Name, [hashtable] $Environment = @{}, [string] $Directory = $PWD.ProviderPath, [int] $Width = 220) {
    # Ended with its tmux session, the pwsh leaves its .NET diagnostic sockets in its TMPDIR: a TestDrive folder takes them.
    if (-not $Environment.ContainsKey('TMPDIR')) {
        $Environment = $Environment + @{ TMPDIR = (New-Item -ItemType Directory -Force (Join-Path (Get-PSDrive TestDrive).Root "tmp-$Name")).FullName }
    }
    $settings = foreach ($entry in $Environment.GetEnumerator()) { '-e'; "$($entry.Key)=$($entry.Value)" }
    & tmux new-session -d -s $Name -x $Width -y 50 -c $Directory @settings "$(Join-Path $PSHOME 'pwsh') -NoProfile -NoLogo"
    $Name
}

# The pwsh of PowerShell's own out-of-process runspace (a control for what a sandboxed session may do).
# Its TMPDIR is a TestDrive folder: killed when the runspace ends, it leaves its .NET diagnostic sockets there.
function New-OwnPwshProcess {
    $process = [System.Management.Automation.Runspaces.PowerShellProcessInstance]::new()
    $process.Process.StartInfo.Environment['TMPDIR'] = (New-Item -ItemType Directory -Force (Join-Path (Get-PSDrive TestDrive).Root "tmp-pwsh-$([guid]::NewGuid())")).FullName
    $process
}

function Send-TerminalLine([string] $Name, [string] $Line) {
    & tmux send-keys -t $Name -l $Line
    & tmux send-keys -t $Name Enter
}

# The screen once it matches $Pattern, or as it is after a minute.
function Wait-TerminalText([string] $Name, [string] $Pattern) {
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    do {
        $screen = (& tmux capture-pane -t $Name -p -S -200) -join "`n"
        if ($screen -match $Pattern) { return $screen }
        Start-Sleep -Milliseconds 200
    } while ([DateTime]::UtcNow -lt $deadline)
    $screen
}

# Runs $Script in a new session (runspace) with the module imported, as a fresh pwsh would: what it
# output and the warnings it wrote, each call of it separately ($Script returns one result per call).
function Invoke-InNewSession([scriptblock] $Script) {
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddCommand('Import-Module').AddArgument((Join-Path $script:RepoRoot 'LandlockPS.psd1')).Invoke()
        $ps.Commands.Clear()
        $output = $ps.AddScript($Script).Invoke()
        [pscustomobject]@{ Output = @($output); Warnings = @($ps.Streams.Warning | ForEach-Object Message); Errors = @($ps.Streams.Error) }
    }
    finally { $ps.Dispose() }
}

# A new, empty folder the test may write, outside $Tree (symlinks resolved): wherever HOME, TMPDIR and
# the checkout live, one of these places usually is outside it. $null when none is.
function New-FolderOutside([string] $Tree) {
    $inside = (Get-Item -LiteralPath $Tree).ResolvedTarget ?? $Tree
    foreach ($place in [IO.Path]::GetTempPath(), $HOME, $script:RepoRoot, '/var/tmp', '/dev/shm', '/run') {
        if (-not $place -or -not (Test-Path -LiteralPath $place -PathType Container)) { continue }
        $real = [IO.Path]::GetFullPath((& realpath -- $place))
        if ($real -eq $inside -or $real.StartsWith($inside.TrimEnd('/') + '/')) { continue }
        try { return (New-Item -ItemType Directory (Join-Path $real "llps-outside-$PID-$([guid]::NewGuid().ToString('N'))") -ErrorAction Stop).FullName }
        catch { continue }
    }
}

# Removes cgroup folders, each emptied first with cgroup.kill, waiting up to 10 s for what was in it to be gone.
function Remove-Cgroup([string[]] $Path) {
    foreach ($folder in $Path) {
        Set-Content (Join-Path $folder cgroup.kill) 1 -ErrorAction Ignore
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ((Test-Path $folder) -and [DateTime]::UtcNow -lt $deadline) {
            try { [IO.Directory]::Delete($folder) } catch [IO.IOException] { Start-Sleep -Milliseconds 50 }
        }
    }
}
