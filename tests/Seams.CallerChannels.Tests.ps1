# The caller's own control channels: PowerShell's host pipe (Enter-PSHostProcess), .NET's
# diagnostics socket and debugger FIFOs, in the temp folder under the caller's pid. Whoever reaches
# one can run code in the caller, unconfined. Each case runs in a fresh pwsh, so the test host keeps its own.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Pwsh = Join-Path $PSHOME 'pwsh'
    $script:Module = Join-Path $RepoRoot 'LandlockPS.psd1'

    # Runs $Script in a fresh pwsh with the module loaded; a Connect function says whether a UNIX
    # socket path answers (perl, confined or not). Returns the output lines.
    function script:Invoke-InFreshCaller([string] $Script) {
        $prelude = @"
Import-Module '$Module'
`$connect = 'use IO::Socket::UNIX; print IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => shift) ? qq(connected) : qq(refused: `$!)'
function Get-OwnSocket { Get-ChildItem /tmp -Force | Where-Object { `$_.Name -like "CoreFxPipe_PSHost.*.`$PID.*" -or `$_.Name -like "dotnet-diagnostic-`$PID-*-socket" } | ForEach-Object FullName }
function Get-OwnFifo { Get-ChildItem /tmp -Force | Where-Object { `$_.Name -like "clr-debug-pipe-`$PID-*" } | ForEach-Object FullName }
`$openFifo = 'use Fcntl; print sysopen(my `$f, shift, O_RDONLY | O_NONBLOCK) ? qq(opened) : qq(refused: `$!)'

"@
        $file = Join-Path $TestDrive "caller-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $file -Value ($prelude + $Script)
        & $Pwsh -NoProfile -NonInteractive -File $file 2>&1 | ForEach-Object { "$_" }
    }
}

Describe 'A caller''s own control sockets' -Skip:(-not (Get-Command perl -CommandType Application -ErrorAction Ignore)) {
    It 'are closed before a sandbox that may reach UNIX sockets runs, and the caller goes on' {
        $out = Invoke-InFreshCaller @'
$own = @(Get-OwnSocket)
"own=$($own.Count)"
foreach ($socket in $own) { 'control=' + (& perl -e $connect $socket) }
# Pinned to ABI 7, the ruleset does not handle ResolveUnix: the sandbox may connect to any UNIX socket.
$open = New-LandlockRuleset -Abi V7 -Profile SystemReadOnly
foreach ($socket in $own) { 'sandbox=' + ($open | Invoke-Sandboxed perl -- -e $connect $socket) }
'left=' + @(Get-OwnSocket).Count
'caller=' + (Invoke-Sandboxed -Ruleset $open { 40 + 2 })
'@
        $own = [int](@($out -match '^own=')[0] -replace '^own=')
        $own | Should -BeGreaterOrEqual 1 -Because "pwsh makes its host pipe at start: $($out -join '; ')"
        @($out -match '^control=connected').Count | Should -Be $own -Because 'unconfined, each answers'
        @($out -match '^sandbox=refused').Count | Should -Be $own -Because "the sandbox finds none: $($out -join '; ')"
        $out | Should -Contain 'left=0'
        $out | Should -Contain 'caller=42'
    }

    It 'are gone before the first sandbox runs, whatever its ruleset, so none can give them a name of its own' {
        $out = Invoke-InFreshCaller @'
$own = @(Get-OwnSocket)
'own=' + $own.Count
# May write /tmp (a hard link or rename there keeps a socket reachable by another name), and no UNIX socket.
$writer = New-LandlockRuleset -Profile SystemReadOnly | Add-LandlockPathRule /tmp -Access ReadWrite -PassThru
$fifos = @(Get-OwnFifo)
'fifos=' + $fifos.Count
foreach ($fifo in $fifos) { 'fifo-control=' + (& perl -e $openFifo $fifo) }
foreach ($socket in $own) { 'planted=' + ($writer | Invoke-Sandboxed sh -- -c 'ln "$1" "$1.planted" 2>/dev/null && echo yes || echo no' sh $socket) }
# .NET's debugger FIFOs are opened like any file: a sandbox that may read the temp folder could attach.
foreach ($fifo in $fifos) { 'fifo=' + ($writer | Invoke-Sandboxed perl -- -e $openFifo $fifo) }
'fifos-left=' + @(Get-OwnFifo).Count
$open = New-LandlockRuleset -Abi V7 -Profile SystemReadOnly
foreach ($socket in $own) { 'sandbox=' + ($open | Invoke-Sandboxed perl -- -e $connect "$socket.planted") }
'left=' + @(Get-OwnSocket).Count
foreach ($socket in $own) { Remove-Item -LiteralPath "$socket.planted" -ErrorAction Ignore }
'@
        $own = [int](@($out -match '^own=')[0] -replace '^own=')
        $own | Should -BeGreaterOrEqual 1 -Because ($out -join '; ')
        @($out -match '^planted=no').Count | Should -Be $own -Because "nothing was left to link: $($out -join '; ')"
        @($out -match '^sandbox=refused').Count | Should -Be $own
        $out | Should -Contain 'left=0'
        $fifos = [int](@($out -match '^fifos=')[0] -replace '^fifos=')
        @($out -match '^fifo-control=opened').Count | Should -Be $fifos -Because 'unconfined, each opens'
        @($out -match '^fifo=refused').Count | Should -Be $fifos -Because ($out -join '; ')
        $out | Should -Contain 'fifos-left=0'
    }
}
