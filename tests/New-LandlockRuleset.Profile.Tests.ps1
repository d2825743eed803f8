BeforeAll {
    . $PSScriptRoot/common.ps1
    # V7 at most, so runs on this kernel are fully enforced (no partial-enforcement warning).
    $script:Abi = [LandlockPS.Core.Landlock.LandlockAbi][Math]::Min(7, [int](Get-LandlockAbi).EffectiveAbi)

    function script:Test-Missing([string] $Path) { [LandlockPS.Core.Landlock.RuleTarget]::Probe($Path) -eq 'Missing' }
}

Describe 'New-LandlockRuleset -Profile' {
    It "adds each profile's rules that apply here and records the profiles in order" {
        $rs = New-LandlockRuleset -Abi $Abi -Profile SystemReadOnly, WebClient
        $rs.Profiles | Should -Be 'SystemReadOnly', 'WebClient'
        foreach ($name in $rs.Profiles) {
            foreach ($rule in (Get-LandlockProfile $name).PathRules) {
                $added = $rs.PathRules | Where-Object Path -EQ $rule.Path
                if (Test-Missing $rule.Path) { $added | Should -BeNullOrEmpty }
                else { $added.Access | Should -Be $rule.Access }
            }
        }
        $rs.NetRules | ForEach-Object { "$_" } | Should -Be 'ConnectTcp on port 53', 'ConnectTcp on port 80', 'ConnectTcp on port 443'
    }

    It 'says in -Verbose which rules it added and which it skipped, and why' {
        $verbose = New-LandlockRuleset -Abi $Abi -Profile SystemReadOnly, WebClient -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $verbose | Should -Contain 'Profile SystemReadOnly: allowing ReadExecute on /usr.'
        foreach ($rule in (Get-LandlockProfile SystemReadOnly, WebClient).PathRules | Where-Object { Test-Missing $_.Path }) {
            $verbose -match [regex]::Escape("skipping $rule`: it does not exist on this machine") | Should -Not -BeNullOrEmpty
        }
        # UDP is not handled below V10, so it is not restricted: the rule leaves it out and says so.
        $verbose | Should -Contain 'Profile WebClient: allowing ConnectTcp on port 53 (not ConnectSendUdp: unhandled, so not restricted).'
    }

    It 'grants only what the ruleset handles' {
        $netOnly = New-LandlockRuleset -Abi $Abi -HandledAccessFs None -Scope None -Profile WebClient -Verbose 4>&1
        $rs = $netOnly | Where-Object { $_ -is [LandlockPS.Core.Landlock.LandlockRuleset] }
        $rs.PathRules | Should -BeNullOrEmpty
        $rs.NetRules.Port | Should -Be 53, 80, 443
        "$($netOnly | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })" | Should -Match 'skipping ReadFile on /etc/hosts: the ruleset handles none of these rights'

        $readOnly = New-LandlockRuleset -Abi $Abi -HandledAccessFs ReadFile -HandledAccessNet None -Profile SystemReadOnly, WebClient
        $readOnly.NetRules | Should -BeNullOrEmpty
        ($readOnly.PathRules | Where-Object Path -EQ /usr).Access | Should -Be 'ReadFile'
        ($readOnly.PathRules | Where-Object Path -EQ /dev/null).Access | Should -Be 'ReadFile'
    }

    It 'adds a profile named twice once' {
        $rs = New-LandlockRuleset -Abi $Abi -Profile SharedTemp, SharedTemp
        $rs.Profiles | Should -Be 'SharedTemp'
        @($rs.PathRules | Where-Object Path -EQ /tmp).Count | Should -Be 1
    }

    It 'shows the profiles when the ruleset prints' {
        New-LandlockRuleset -Abi $Abi -Profile ProcessInfo | Out-String | Should -Match 'Profiles\s+: ProcessInfo'
    }

    It 'refuses an unknown profile at binding time' {
        { New-LandlockRuleset -Profile Everything } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,LandlockPS.Commands.NewLandlockRulesetCommand'
    }

    It 'keeps the profiles through Clone and serialization' {
        $rs = New-LandlockRuleset -Abi $Abi -Profile SystemReadOnly, SharedTemp
        $rs.Clone().Profiles | Should -Be 'SystemReadOnly', 'SharedTemp'
        $file = Join-Path TestDrive: rs.xml
        $rs | Export-Clixml $file
        $back = Import-Clixml $file | Add-LandlockNetRule -Port 8080 -Access ConnectTcp -PassThru
        $back | Should -BeOfType ([LandlockPS.Core.Landlock.LandlockRuleset])
        $back.Profiles | Should -Be 'SystemReadOnly', 'SharedTemp'
        ($back.PathRules | ForEach-Object { "$_" }) | Should -Be ($rs.PathRules | ForEach-Object { "$_" })
    }

    It 'refuses a deserialized ruleset naming an unknown profile' {
        $file = Join-Path TestDrive: bad.xml
        New-LandlockRuleset -Abi $Abi -Profile SharedTemp | Export-Clixml $file
        $value = [int][LandlockPS.Core.Landlock.LandlockProfileName]::SharedTemp
        (Get-Content -Raw $file) -replace "<I32>$value</I32>", '<I32>99</I32>' | Set-Content $file
        $err = { Add-LandlockNetRule -Ruleset (Import-Clixml $file) -Port 1 -Access ConnectTcp } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,LandlockPS.Commands.AddLandlockNetRuleCommand' -PassThru
        $err.Exception.Message | Should -Match 'wrong kind'
    }
}

Describe 'Profiles confine a child on the real kernel' {
    BeforeAll {
        $script:System = New-LandlockRuleset -Abi $Abi -Profile SystemReadOnly
    }

    It 'SystemReadOnly runs programs and reads the user database, but not the rest of /etc' {
        $System | Invoke-Sandboxed cat /etc/passwd | Select-Object -First 1 | Should -Match '^root:'
        $System | Invoke-Sandboxed cat /etc/shadow -StandardError Output | Should -Match 'Permission denied'
        $LASTEXITCODE | Should -Not -Be 0
    }

    It 'SystemConfig reads all of /etc, secrets root owns included (its documented caveat)' {
        $rs = New-LandlockRuleset -Abi $Abi -Profile SystemReadOnly, SystemConfig
        $rs | Invoke-Sandboxed cat /etc/hostname | Should -Be (Get-Content /etc/hostname)
        $rs | Invoke-Sandboxed head '-c', '5', '/etc/shadow' | Should -Be 'root:'
    }

    It 'SystemReadOnly discards output to /dev/null, reads /dev/urandom, and follows /etc/alternatives links' {
        $System | Invoke-Sandboxed sh '-c', 'echo gone > /dev/null && head -c 8 /dev/urandom | wc -c && awk "BEGIN { print 42 }"' |
            Should -Be '8', '42'
    }

    It 'SystemReadOnly denies reading /root; a rule allows it' {
        $System | Invoke-Sandboxed ls /root -StandardError Output | Should -Match 'Permission denied'
        $rs = New-LandlockRuleset -Abi $Abi -Profile SystemReadOnly | Add-LandlockPathRule /root ReadOnly -PassThru
        $rs | Invoke-Sandboxed ls /root
        $LASTEXITCODE | Should -Be 0
    }

    It 'SystemReadOnly denies writing /tmp; SharedTemp allows it, without Execute' {
        $file = "/tmp/llps-profile-$([guid]::NewGuid())"
        try {
            $System | Invoke-Sandboxed sh '-c', "echo x > $file" -StandardError Output | Should -Match 'Permission denied'
            $file | Should -Not -Exist
            $rs = New-LandlockRuleset -Abi $Abi -Profile SystemReadOnly, SharedTemp
            $write = "printf '#!/bin/sh\necho ran\n' > $file && chmod +x $file && cat $file > /dev/null && echo wrote"
            $rs | Invoke-Sandboxed sh '-c', $write | Should -Be 'wrote'
            $rs | Invoke-Sandboxed sh '-c', $file -StandardError Output | Should -Match 'Permission denied'
        }
        finally { Remove-Item $file -ErrorAction Ignore }
    }

    It 'ProcessInfo reads process listings, not the environment of a process outside the sandbox' {
        $System | Invoke-Sandboxed cat "/proc/$PID/cmdline" -StandardError Output | Should -Match 'Permission denied'
        $rs = New-LandlockRuleset -Abi $Abi -Profile SystemReadOnly, ProcessInfo
        $rs | Invoke-Sandboxed cat "/proc/$PID/cmdline" | Should -Match 'pwsh'
        Get-Content -Raw "/proc/$PID/environ" | Should -Not -BeNullOrEmpty
        $rs | Invoke-Sandboxed cat "/proc/$PID/environ" -StandardError Output | Should -Match 'Permission denied'
    }

    It 'WebClient connects to port <Port> on localhost but not to another port' -ForEach @(
        @{ Port = 443 }, @{ Port = 80 }
    ) {
        Skip-UnlessLandlockAbi 4
        $allowed = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $Port)
        try { $allowed.Start() }
        catch [System.Net.Sockets.SocketException] { Set-ItResult -Skipped -Because "port $Port is in use on this machine"; return }
        $other = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $other.Start()
        try {
            $connect = 'exec 3<>/dev/tcp/127.0.0.1/{0} && echo connected'
            $web = New-LandlockRuleset -Abi $Abi -Profile SystemReadOnly, WebClient
            $web | Invoke-Sandboxed bash '-c', ($connect -f $Port) | Should -Be 'connected'
            $web | Invoke-Sandboxed bash '-c', ($connect -f $other.LocalEndpoint.Port) -StandardError Output | Should -Match 'Permission denied'
            $System | Invoke-Sandboxed bash '-c', ($connect -f $Port) -StandardError Output | Should -Match 'Permission denied'
        }
        finally {
            $allowed.Stop()
            $other.Stop()
        }
    }
}
