# The caller's own control sockets: PowerShell's host pipe (Enter-PSHostProcess) and .NET's
# diagnostics channel, in the temp folder under the caller's pid. Whoever connects to either can run
# code in the caller, unconfined. Each case runs in a fresh pwsh, so the test host keeps its own.
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

    It 'are kept where the sandbox can reach no UNIX socket' {
        $out = Invoke-InFreshCaller @'
$own = @(Get-OwnSocket)
$closed = New-LandlockRuleset -Profile SystemReadOnly
foreach ($socket in $own) { 'sandbox=' + ($closed | Invoke-Sandboxed perl -- -e $connect $socket) }
'kept=' + (@(Get-OwnSocket).Count -eq $own.Count -and $own.Count -ge 1)
'@
        @($out -match '^sandbox=refused').Count | Should -BeGreaterOrEqual 1 -Because ($out -join '; ')
        $out | Should -Contain 'kept=True'
    }
}
