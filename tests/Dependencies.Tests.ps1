# Invoke-Sandboxed -AllowDependencies and Add-LandlockPathRule -Executable: what a program needs to
# start, found as the dynamic loader finds it, against the real kernel.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Id = 'LandlockPS.Commands.InvokeSandboxedCommand'
    $script:AddId = 'LandlockPS.Commands.AddLandlockPathRuleCommand'

    # Handles every filesystem right this kernel enforces, and has no rule: nothing may be opened.
    function New-EmptyRuleset {
        $abi = [LandlockPS.Core.Landlock.LandlockAbi][Math]::Min(7, [int](Get-LandlockAbi).EffectiveAbi)
        New-LandlockRuleset -Name empty -Abi $abi
    }

    # The "Allowing ... on ...: why" lines a call writes to the verbose stream.
    function Get-AllowedLine([scriptblock] $Call) {
        & $Call 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Allowing *' } |
            ForEach-Object Message
    }

    # A program that finds its library through RUNPATH $ORIGIN/../lib, one that finds it only
    # through LD_LIBRARY_PATH, and one whose library has gone.
    $script:Native = New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "llps-deps-$([guid]::NewGuid())")
    $lib = New-Item -ItemType Directory (Join-Path $Native lib)
    $bin = New-Item -ItemType Directory (Join-Path $Native bin)
    Set-Content (Join-Path $Native leaf.c) 'int leaf(void) { return 42; }'
    Set-Content (Join-Path $Native app.c) "#include <stdio.h>`nint leaf(void);`nint main(void) { printf(`"%d\n`", leaf()); return 0; }"
    Push-Location $Native
    try {
        & cc -shared -fPIC '-Wl,-soname,libleaf.so' -o lib/libleaf.so leaf.c
        & cc -o bin/app-origin app.c -Llib -lleaf '-Wl,--enable-new-dtags' '-Wl,-rpath,$ORIGIN/../lib'
        & cc -o bin/app-plain app.c -Llib -lleaf
        & cc -shared -fPIC '-Wl,-soname,libgone.so' -o lib/libgone.so leaf.c
        & cc -o bin/app-missing app.c -Llib -lgone '-Wl,--enable-new-dtags' '-Wl,-rpath,$ORIGIN/../lib'
        if ($LASTEXITCODE -ne 0) { throw 'These tests need a C compiler (cc).' }
        Remove-Item lib/libgone.so
    }
    finally { Pop-Location }
    $script:Lib = $lib.FullName
    $script:Bin = $bin.FullName

    # /usr/bin/true naming another ELF interpreter (PT_INTERP rewritten in place, NUL-padded).
    function New-CraftedProgram([string] $Name, [string] $Interpreter) {
        $bytes = [IO.File]::ReadAllBytes('/usr/bin/true')
        $original = '/lib64/ld-linux-x86-64.so.2'
        $at = [Text.Encoding]::Latin1.GetString($bytes).IndexOf($original, [StringComparison]::Ordinal)
        [Array]::Clear($bytes, $at, $original.Length)
        [Text.Encoding]::ASCII.GetBytes($Interpreter).CopyTo($bytes, $at)
        $path = Join-Path $Native $Name
        [IO.File]::WriteAllBytes($path, $bytes)
        & chmod +x $path
        $path
    }
    $script:InterpRoot = New-CraftedProgram interp-root '/'
    $script:InterpMissing = New-CraftedProgram interp-missing '/nonexistent/ld.so'
    $script:InterpRelative = New-CraftedProgram interp-relative 'lib64/ld-linux-x86-64.so.2'

    $script:Script = Join-Path $Native 'hello.sh'
    Set-Content $Script "#!/bin/sh`necho script ran"
    & chmod +x $Script
}

AfterAll {
    Remove-Item -Recurse -Force $Native -ErrorAction Ignore
}

Describe 'Invoke-Sandboxed -AllowDependencies' {
    It 'lists the rules it added in the -PassThru result, and leaves the caller''s ruleset as it was' {
        $empty = New-EmptyRuleset
        $result = $empty | Invoke-Sandboxed curl --version -AllowDependencies -PassThru | Select-Object -Last 1
        $result.ExitCode | Should -Be 0
        $result.ImplicitRules.Path | Should -Contain (Get-Command curl -CommandType Application)[0].Source
        $result.ImplicitRules.Path | Where-Object { $_ -like '*/libc.so.6' } | Should -Not -BeNullOrEmpty
        $empty.PathRules | Should -BeNullOrEmpty
    }

    It 'runs <FilePath> under a ruleset with no rule, which refuses it without the switch' -TestCases @(
        @{ FilePath = 'curl'; Arguments = @('--version'); Expected = '^curl \d' }
        @{ FilePath = '/bin/ls'; Arguments = @('--version'); Expected = '^ls \(GNU coreutils\)' }
        @{ FilePath = 'script'; Arguments = @(); Expected = '^script ran$' }
    ) {
        if ($FilePath -eq 'script') { $FilePath = $Script }
        $empty = New-EmptyRuleset
        $out = $empty | Invoke-Sandboxed $FilePath $Arguments -AllowDependencies -WarningVariable wv
        $LASTEXITCODE | Should -Be 0
        @($out)[0] | Should -Match $Expected
        $wv | Should -BeNullOrEmpty

        $empty | Invoke-Sandboxed $FilePath $Arguments -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be "ExecutableNotAllowed,$Id"
    }

    It 'adds only what the program needs: listing / is still denied' {
        $out = New-EmptyRuleset | Invoke-Sandboxed ls / -AllowDependencies -StandardError Output
        $out | Should -Match 'Permission denied'
        $LASTEXITCODE | Should -Be 2
    }

    It 'lists every rule it adds, and why, with -Verbose' {
        $lines = Get-AllowedLine { New-EmptyRuleset | Invoke-Sandboxed curl --version -AllowDependencies -Verbose }
        $lines | Should -Contain 'Allowing Execute, ReadFile on /usr/bin/curl: the program itself.'
        $lines | Where-Object { $_ -match '^Allowing Execute, ReadFile on /\S+/libc\.so\.6: libc\.so\.6 needed by /usr/bin/curl\.$' } | Should -Not -BeNullOrEmpty
        $lines | Where-Object { $_ -match 'ELF interpreter of /usr/bin/curl\.$' } | Should -Not -BeNullOrEmpty
        $lines | Should -Contain 'Allowing ReadFile on /etc/ld.so.cache: the library cache the loader of /usr/bin/curl reads.'
        $lines | Where-Object { $_ -match '^Allowing Execute, ReadFile on /\S+: #! interpreter' } | Should -BeNullOrEmpty
    }

    It 'follows a #! line to its interpreter' {
        $lines = Get-AllowedLine { New-EmptyRuleset | Invoke-Sandboxed $Script -AllowDependencies -Verbose }
        $lines | Should -Contain "Allowing Execute, ReadFile on /bin/sh: #! interpreter of $Script."
    }

    It 'leaves the caller''s ruleset as it was' {
        $empty = New-EmptyRuleset
        $null = $empty | Invoke-Sandboxed true -AllowDependencies
        $empty.PathRules | Should -BeNullOrEmpty
    }

    It 'finds a library through RUNPATH $ORIGIN' {
        New-EmptyRuleset | Invoke-Sandboxed (Join-Path $Bin app-origin) -AllowDependencies | Should -Be '42'
    }

    It 'searches the LD_LIBRARY_PATH the child gets' {
        $program = Join-Path $Bin app-plain
        New-EmptyRuleset | Invoke-Sandboxed $program -AllowDependencies -Environment @{ LD_LIBRARY_PATH = $Lib } | Should -Be '42'
    }

    It 'warns about a library it cannot find, and still runs the program' {
        $program = Join-Path $Bin app-missing
        $null = New-EmptyRuleset | Invoke-Sandboxed $program -AllowDependencies -StandardError Output -WarningVariable wv -WarningAction SilentlyContinue
        $wv.Message | Should -Match "^libgone\.so, needed by $([regex]::Escape($program)), was not found"
        $LASTEXITCODE | Should -Be 127   # the loader's own verdict
    }

    It 'grants nothing for an ELF interpreter that is <Case>, and warns' -TestCases @(
        @{ Case = 'a directory'; Program = 'InterpRoot'; Warning = '^/ \(ELF interpreter of .*\) is not a regular file: no rule is added for it\.$'; ErrorId = 'ExecutableNotAllowed' }
        @{ Case = 'missing'; Program = 'InterpMissing'; Warning = '^/nonexistent/ld\.so \(ELF interpreter of .*\) does not exist: no rule is added for it\.$'; ErrorId = 'ExecutableNotFound' }
        @{ Case = 'a relative path'; Program = 'InterpRelative'; Warning = "names 'lib64/ld-linux-x86-64\.so\.2' as its ELF interpreter, not an absolute path"; ErrorId = 'ExecutableNotFound' }
    ) {
        $path = Get-Variable $Program -ValueOnly
        $records = New-EmptyRuleset | Invoke-Sandboxed $path -AllowDependencies -Verbose -ErrorVariable ev -ErrorAction SilentlyContinue 4>&1 3>&1
        $records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Allowing *' } | ForEach-Object Message |
            Should -Be "Allowing Execute, ReadFile on ${path}: the program itself."
        $records | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message | Should -Match $Warning
        # The kernel's own refusal to start it, not a rule the user never wrote.
        $ev.FullyQualifiedErrorId | Should -Be "$ErrorId,$Id"
    }

    It 'warns once per command about a library it cannot find, however many rulesets are piped' {
        $program = Join-Path $Bin app-missing
        $null = (New-EmptyRuleset), (New-EmptyRuleset), (New-EmptyRuleset) |
            Invoke-Sandboxed $program -AllowDependencies -StandardError Output -WarningVariable wv -WarningAction SilentlyContinue
        @($wv).Count | Should -Be 1
        $wv.Message | Should -Match "^libgone\.so, needed by $([regex]::Escape($program)), was not found"
        # Once per command, not per session: the next call warns again.
        $null = New-EmptyRuleset | Invoke-Sandboxed $program -AllowDependencies -StandardError Output -WarningVariable again -WarningAction SilentlyContinue
        @($again).Count | Should -Be 1
    }

    It 'belongs to the FilePath parameter set only' {
        (Get-Command Invoke-Sandboxed).Parameters['AllowDependencies'].ParameterSets.Keys | Should -Be 'FilePath'
    }
}

Describe 'Add-LandlockPathRule -Executable' {
    It 'adds for <Program> the same rules as Invoke-Sandboxed -AllowDependencies, with the same reasons' -TestCases @(
        @{ Program = 'curl' }, @{ Program = '/bin/ls' }, @{ Program = 'script' }
    ) {
        if ($Program -eq 'script') { $Program = $Script }
        $built = New-EmptyRuleset
        $added = Get-AllowedLine { $built | Add-LandlockPathRule -Executable $Program -Verbose }
        $run = Get-AllowedLine { New-EmptyRuleset | Invoke-Sandboxed $Program --version -AllowDependencies -Verbose }
        $added | Should -Not -BeNullOrEmpty
        $added | Should -Be $run
        $built.PathRules.Count | Should -Be $added.Count
    }

    It 'builds a ruleset the program runs under' {
        $rs = New-EmptyRuleset | Add-LandlockPathRule -Executable curl -PassThru
        $rs | Invoke-Sandboxed curl --version | Select-Object -First 1 | Should -Match '^curl '
        $rs.PathRules | Where-Object Path -NE /etc/ld.so.cache | ForEach-Object { $_.Access | Should -Be 'Execute, ReadFile' }
    }

    It 'reports a program that does not exist with ExecutableNotFound, or skips it with -IgnoreMissing' {
        $rs = New-EmptyRuleset
        $rs | Add-LandlockPathRule -Executable no-such-program-llps, true -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "ExecutableNotFound,$AddId"
        $rs.PathRules.Path | Should -Contain '/usr/bin/true'
        $rs | Add-LandlockPathRule -Executable /no/such/program -IgnoreMissing -ErrorVariable ev2
        $ev2 | Should -BeNullOrEmpty
    }

    It 'adds no rule on a directory or a missing file an ELF interpreter names, and warns' {
        $rs = New-EmptyRuleset
        $rs | Add-LandlockPathRule -Executable $InterpRoot, $InterpMissing, $InterpRelative -WarningVariable wv -WarningAction SilentlyContinue -ErrorVariable ev
        $rs.PathRules.Path | Should -Be $InterpRoot, $InterpMissing, $InterpRelative
        $wv.Count | Should -Be 3
        $ev | Should -BeNullOrEmpty
    }

    It 'warns once per command about what it leaves out, however many rulesets are piped' {
        # libleaf.so lies in a folder under /tmp, where a sandbox could swap it for a link; libgone.so is gone.
        $rulesets = (New-EmptyRuleset), (New-EmptyRuleset)
        $rulesets | Add-LandlockPathRule -Executable (Join-Path $Bin app-origin), (Join-Path $Bin app-missing) -WarningVariable wv -WarningAction SilentlyContinue
        $wv.Message | Should -HaveCount 2
        $wv.Message | Where-Object { $_ -like 'Not allowing *libleaf.so*' } | Should -HaveCount 1
        $wv.Message | Where-Object { $_ -like 'libgone.so, needed by *' } | Should -HaveCount 1
        # Each ruleset still gets its rules.
        $rulesets | ForEach-Object { $_.PathRules.Path | Should -Contain (Join-Path $Bin app-origin) }
    }

    It 'resolves every program before adding a rule: a failure under -ErrorAction Stop leaves the ruleset as it was' {
        $rs = New-EmptyRuleset
        { $rs | Add-LandlockPathRule -Executable true, no-such-program-llps -ErrorAction Stop } |
            Should -Throw -ErrorId "ExecutableNotFound,$AddId"
        $rs.PathRules | Should -BeNullOrEmpty
    }

    It 'grants nothing a ruleset does not handle' {
        $rs = New-LandlockRuleset -HandledAccessFs WriteFile | Add-LandlockPathRule -Executable curl -PassThru
        $rs.PathRules | Should -BeNullOrEmpty
    }
}
