BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Get-LandlockAbi' {
    AfterEach {
        Remove-Item Env:LANDLOCKPS_TEST_ABI_CAP, Env:LANDLOCKPS_TEST_NO_EMULATION, Env:LANDLOCKPS_TEST_NO_CGROUP -ErrorAction Ignore
    }

    It 'reports Landlock available on the test machine' {
        $abi = Get-LandlockAbi
        $abi.Status | Should -Be 'Available'
        $abi.KernelAbi | Should -BeGreaterOrEqual 1
        $abi.EffectiveAbi | Should -Be ([LandlockPS.Core.Landlock.LandlockAbi][Math]::Min($abi.KernelAbi, 10))
        $abi.NewestKnownAbi | Should -Be 'V10'
        $abi.KernelRelease | Should -Be (Get-Content /proc/sys/kernel/osrelease)
        $abi.SupportedAccessFs.HasFlag([LandlockPS.Core.Landlock.LandlockAccessFs]::ReadFile) | Should -BeTrue
    }

    It 'shows the errata the kernel reports' {
        $abi = Get-LandlockAbi
        $abi.Errata | ForEach-Object { $_.Known | Should -BeTrue }
        ($abi | Out-String) | Should -Match 'Errata'
    }

    It 'honours the test-only ABI cap and never raises the ABI' {
        $env:LANDLOCKPS_TEST_ABI_CAP = '3'
        $capped = Get-LandlockAbi
        $capped.EffectiveAbi | Should -Be 'V3'
        $capped.TestAbiCap | Should -Be 3
        $capped.SupportedAccessNet | Should -Be 'None'

        $env:LANDLOCKPS_TEST_ABI_CAP = '99'
        (Get-LandlockAbi).EffectiveAbi | Should -Be ([LandlockPS.Core.Landlock.LandlockAbi][Math]::Min($capped.KernelAbi, 10))
    }

    It 'reports NotImplemented with a reason when capped at 0' {
        $env:LANDLOCKPS_TEST_ABI_CAP = '0'
        $abi = Get-LandlockAbi
        $abi.Status | Should -Be 'NotImplemented'
        $abi.EffectiveAbi | Should -BeNullOrEmpty
        $abi.Reason | Should -Match 'LANDLOCKPS_TEST_ABI_CAP'
        ($abi | Out-String) | Should -Match 'Reason'
    }

    It 'names what it emulates for what this kernel lacks, and only that' {
        $env:LANDLOCKPS_TEST_ABI_CAP = '7'
        (Get-LandlockAbi).Emulation | Should -Be 'UnixSockets, UdpSockets, MemfdExecute, IoUring'
        $env:LANDLOCKPS_TEST_ABI_CAP = '3'
        (Get-LandlockAbi).Emulation | Should -Be 'UnixSockets, UdpSockets, MemfdExecute, IoUring'
        $env:LANDLOCKPS_TEST_NO_EMULATION = '1'
        (Get-LandlockAbi).Emulation | Should -Be 'None'
        $env:LANDLOCKPS_TEST_ABI_CAP = '0'
        Remove-Item Env:LANDLOCKPS_TEST_NO_EMULATION
        (Get-LandlockAbi).Emulation | Should -Be 'None'
    }

    It 'says what holds the processes of a run, and why when it is only the process group' {
        # The test machine runs as root with a writable cgroup v2.
        (Get-LandlockAbi).Containment | Should -Match '^ControlGroup: each run gets a cgroup of its own below /'
        $env:LANDLOCKPS_TEST_NO_CGROUP = '1'
        (Get-LandlockAbi).Containment | Should -Match '^ProcessGroup: the test setting LANDLOCKPS_TEST_NO_CGROUP is on'
        (Get-LandlockAbi | Out-String) | Should -Match 'Containment\s+: ProcessGroup'
    }

    It 'lists every known ABI with what it added' {
        $known = Get-LandlockAbi -ListKnown
        $known | Should -HaveCount 10
        $known[0].Abi | Should -Be 'V1'
        $known[0].Kernel | Should -Be ([version]'5.13')
        ($known | Where-Object Abi -EQ 'V9').Added | Should -Be 'ResolveUnix'
        ($known | Out-String) | Should -Match 'BindUdp, ConnectSendUdp'
    }

    It 'prints as a readable list' {
        $text = Get-LandlockAbi | Out-String
        $text | Should -Match 'Status\s+: Available'
        $text | Should -Match 'EffectiveAbi\s+: V\d+'
        $text | Should -Not -Match 'LandlockPS.Core'
    }
}
