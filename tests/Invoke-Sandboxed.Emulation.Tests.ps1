BeforeAll {
    . $PSScriptRoot/common.ps1
    # The newest ABI: on this kernel (ABI 7) its UNIX socket and UDP rights are emulated, and with
    # Execute handled so are memfds; the profile grants none of them.
    $script:Full = New-LandlockRuleset -Profile SystemReadOnly
    $script:Emulatable = (Get-LandlockAbi).Emulation
    $script:Every = [LandlockPS.Core.Landlock.LandlockEmulation]'UnixSockets, UdpSockets, MemfdExecute, IoUring'
}

Describe 'Script blocks and sessions under every emulation' {
    It 'runs a block under a ruleset whose every class this kernel lacks is emulated' {
        $out = Invoke-Sandboxed -Ruleset $Full { 1 + 1 } -PassThru
        $out[0] | Should -Be 2
        $result = $out[-1]
        $result.Emulated | Should -Be ($Emulatable -band $Every)
        $result.Status | Should -Be 'FullyEnforced'
    }

    It 'closes UNIX and UDP sockets inside the block, and leaves TCP to its rules' {
        if (-not $Emulatable.HasFlag([LandlockPS.Core.Landlock.LandlockEmulation]::UdpSockets)) {
            Set-ItResult -Skipped -Because 'this kernel''s Landlock restricts UNIX sockets and UDP itself'
            return
        }
        $out = Invoke-Sandboxed -Ruleset $Full {
            foreach ($kind in @('Unix', 'Stream', 'Unspecified'), @('InterNetwork', 'Dgram', 'Udp'), @('InterNetworkV6', 'Dgram', 'Udp'), @('InterNetwork', 'Stream', 'Tcp')) {
                try {
                    [System.Net.Sockets.Socket]::new($kind[0], $kind[1], $kind[2]).Dispose()
                    "$($kind[0]) $($kind[1]): made"
                }
                catch { "$($kind[0]) $($kind[1]): $($_.Exception.InnerException.SocketErrorCode)" }
            }
        }
        $out | Should -Be 'Unix Stream: AccessDenied', 'InterNetwork Dgram: AccessDenied', 'InterNetworkV6 Dgram: AccessDenied', 'InterNetwork Stream: made'
    }

    It 'keeps name lookups from the hosts file working, and fails a DNS lookup as a plain error' {
        $rs = $Full.Clone() | Add-LandlockPathRule -Path /etc/hosts -Access ReadFile -PassThru
        $out = Invoke-Sandboxed -Ruleset $rs {
            [System.Net.Dns]::GetHostAddresses('localhost') | Where-Object AddressFamily -EQ 'InterNetwork' | ForEach-Object IPAddressToString
            try { [System.Net.Dns]::GetHostAddresses('landlockps.invalid') } catch { 'lookup failed' }
        }
        $out | Should -Be '127.0.0.1', 'lookup failed'
    }

    It 'needs no UNIX socket of its own: .NET''s diagnostics channel stays off in the child pwsh' {
        $environment = @{ DOTNET_EnableDiagnostics = '1'; PATH = $env:PATH }
        Invoke-Sandboxed -Ruleset $Full -Environment $environment -ClearEnvironment { $env:DOTNET_EnableDiagnostics } | Should -Be '0'
    }

    It 'runs a session, which says what it emulates and what holds it, in -Verbose and on the session' {
        $verbose = $null
        $s = New-LandlockSession -Ruleset $Full -Verbose 4>&1 | Tee-Object -Variable verbose | Where-Object { $_ -is [System.Management.Automation.Runspaces.PSSession] }
        try {
            Invoke-Command -Session $s { 'in the session' } | Should -Be 'in the session'
            "$($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })" | Should -Match 'Contained by the cgroup .*Emulated: a seccomp filter closes'
            $s.Enforcement.Emulated | Should -Be ($Emulatable -band $Every)
            $s.Containment | Should -Be 'ControlGroup'
            $s.ContainmentDetail | Should -Exist
            (Get-PSSession -Id $s.Id).Containment | Should -Be 'ControlGroup'
        }
        finally { Remove-PSSession $s }
        $s.ContainmentDetail | Should -Not -Exist
    }
}
