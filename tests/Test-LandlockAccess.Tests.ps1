BeforeDiscovery {
    # Each case: which ruleset (Set), a path under the scratch tree, one right, the answer we mean the
    # tree to give (Expect) and, where it is not plain Allowed/Denied, the verdict that gives it. Op names
    # the probe's call when it is not the right's own: Create is open(O_WRONLY|O_CREAT), as `echo x > path`.
    # Rulesets (built in BeforeAll):
    #   full:    system + allowed ReadExecute, rw ReadWrite, filerule/only.txt ReadFile+WriteFile (a file
    #            rule), overlap ReadFile, overlap/inner WriteFile+MakeReg, vialink (a symlink to via) ReadFile
    #   partial: handles all of V7 but Truncate and RemoveFile; system + allowed ReadOnly
    #   capped:  the full ruleset while the test cap says the kernel has ABI 2 (no Truncate); Kernel is what
    #            the child gets where it differs from the static answer (the cap never loosens a launch)
    $cases = @(
        @{ Set = 'full'; Path = 'allowed/file.txt'; Right = 'ReadFile'; Expect = $true; What = 'a file in an allowed directory' }
        @{ Set = 'full'; Path = 'allowed/sub/deep.txt'; Right = 'ReadFile'; Expect = $true; What = 'a file deeper in an allowed directory' }
        @{ Set = 'full'; Path = 'allowed'; Right = 'ReadDir'; Expect = $true; What = 'the allowed directory itself' }
        @{ Set = 'full'; Path = 'allowed/sub'; Right = 'ReadDir'; Expect = $true; What = 'a directory in an allowed directory' }
        @{ Set = 'full'; Path = '.'; Right = 'ReadDir'; Expect = $false; What = 'the parent of allowed directories' }
        @{ Set = 'full'; Path = 'outside/secret.txt'; Right = 'ReadFile'; Expect = $false; What = 'a file in a sibling directory' }
        @{ Set = 'full'; Path = 'outside'; Right = 'ReadDir'; Expect = $false; What = 'a sibling directory' }
        @{ Set = 'full'; Path = 'allowed/link-out'; Right = 'ReadFile'; Expect = $false; What = 'a symlink in the allowed tree to a file outside it' }
        @{ Set = 'full'; Path = 'outside/link-in'; Right = 'ReadFile'; Expect = $true; What = 'a symlink outside to a file in the allowed tree' }
        @{ Set = 'full'; Path = 'allowed/file.txt'; Right = 'WriteFile'; Expect = $false; What = 'a right the directory rule does not grant' }
        @{ Set = 'full'; Path = 'allowed/true'; Right = 'Execute'; Expect = $true; What = 'a program in a directory that allows Execute' }
        @{ Set = 'full'; Path = 'outside/true'; Right = 'Execute'; Expect = $false; What = 'a program outside every rule' }
        @{ Set = 'full'; Path = 'rw/true'; Right = 'Execute'; Expect = $false; What = 'a program where ReadWrite (no Execute) is allowed' }
        @{ Set = 'full'; Path = 'filerule/only.txt'; Right = 'ReadFile'; Expect = $true; What = 'a file with a rule of its own' }
        @{ Set = 'full'; Path = 'filerule/only.txt'; Right = 'WriteFile'; Expect = $true; What = 'writing a file with a rule of its own' }
        @{ Set = 'full'; Path = 'filerule/other.txt'; Right = 'ReadFile'; Expect = $false; What = 'the sibling of a file rule' }
        @{ Set = 'full'; Path = 'filerule'; Right = 'ReadDir'; Expect = $false; What = 'the directory of a file rule' }
        @{ Set = 'full'; Path = 'filerule/only.txt'; Right = 'RemoveFile'; Expect = $false; What = 'removing a file with a rule of its own (checked on its directory)' }
        @{ Set = 'full'; Path = 'filerule/new.txt'; Right = 'MakeReg'; Expect = $false; What = 'creating a file next to a file rule' }
        @{ Set = 'full'; Path = 'overlap/inner/x.txt'; Right = 'ReadFile'; Expect = $true; What = 'reading by the outer of two nested rules' }
        @{ Set = 'full'; Path = 'overlap/inner/x.txt'; Right = 'WriteFile'; Expect = $true; What = 'writing by the inner of two nested rules (they add up)' }
        @{ Set = 'full'; Path = 'overlap/y.txt'; Right = 'WriteFile'; Expect = $false; What = 'writing where only the outer rule applies' }
        @{ Set = 'full'; Path = 'overlap/inner/new.txt'; Right = 'MakeReg'; Expect = $true; What = 'creating a file where the inner rule allows it' }
        @{ Set = 'full'; Path = 'overlap/new.txt'; Right = 'MakeReg'; Expect = $false; What = 'creating a file where only the outer rule applies' }
        @{ Set = 'full'; Path = 'rw/new.txt'; Right = 'MakeReg'; Expect = $true; What = 'creating a file in a writable directory' }
        @{ Set = 'full'; Path = 'rw/newdir'; Right = 'MakeDir'; Expect = $true; What = 'making a directory in a writable directory' }
        @{ Set = 'full'; Path = 'allowed/newdir'; Right = 'MakeDir'; Expect = $false; What = 'making a directory in a read-only directory' }
        @{ Set = 'full'; Path = 'outside/new.txt'; Right = 'MakeReg'; Expect = $false; What = 'creating a file outside every rule' }
        @{ Set = 'full'; Path = 'rw/victim.txt'; Right = 'RemoveFile'; Expect = $true; What = 'removing a file in a writable directory' }
        @{ Set = 'full'; Path = 'allowed/victim.txt'; Right = 'RemoveFile'; Expect = $false; What = 'removing a file in a read-only directory' }
        @{ Set = 'full'; Path = 'rw/emptydir'; Right = 'RemoveDir'; Expect = $true; What = 'removing an empty directory in a writable directory' }
        @{ Set = 'full'; Path = 'allowed/emptydir'; Right = 'RemoveDir'; Expect = $false; What = 'removing an empty directory in a read-only directory' }
        @{ Set = 'full'; Path = 'rw/newlink'; Right = 'MakeSym'; Expect = $true; What = 'making a symlink in a writable directory' }
        @{ Set = 'full'; Path = 'rw/newfifo'; Right = 'MakeFifo'; Expect = $true; What = 'making a FIFO in a writable directory' }
        @{ Set = 'full'; Path = 'allowed/newfifo'; Right = 'MakeFifo'; Expect = $false; What = 'making a FIFO in a read-only directory' }
        @{ Set = 'full'; Path = 'allowed/file.txt'; Right = 'ReadDir'; Expect = $true; Verdict = 'NotApplicable'; What = 'a directory-only right on a file' }
        @{ Set = 'full'; Path = 'rw/t.txt'; Right = 'Truncate'; Expect = $true; What = 'truncating in a writable directory' }
        @{ Set = 'full'; Path = 'allowed/file.txt'; Right = 'Truncate'; Expect = $false; What = 'truncating in a read-only directory' }
        @{ Set = 'full'; Path = 'via/v.txt'; Right = 'ReadFile'; Expect = $true; What = 'a file in the target of a rule made through a symlink' }
        @{ Set = 'full'; Path = 'vialink/v.txt'; Right = 'ReadFile'; Expect = $true; What = 'the same file through that symlink' }
        @{ Set = 'full'; Path = 'rw/link-out'; Right = 'RemoveFile'; Expect = $true; What = 'removing a symlink to outside from a writable directory (the link, not its target)' }
        @{ Set = 'full'; Path = 'rw/link-out2'; Right = 'ReadFile'; Expect = $false; What = 'reading through a symlink in a writable directory to outside' }
        @{ Set = 'full'; Path = 'outside/link-in2'; Right = 'RemoveFile'; Expect = $false; What = 'removing a symlink outside that points into the allowed tree' }
        @{ Set = 'full'; Path = 'outside/hard-in'; Right = 'ReadFile'; Expect = $false; What = 'a hard link outside to a file of the allowed tree (the walk goes up through outside)' }
        @{ Set = 'full'; Path = 'outside/hard-only'; Right = 'ReadFile'; Expect = $true; What = 'a hard link outside to a file with a rule of its own (the rule is on the inode)' }
        @{ Set = 'full'; Path = 'allowed/dir-out/../hostname'; Right = 'ReadFile'; Expect = $false; What = '".." after a symlink to a directory outside: the target''s parent, not the link''s' }
        @{ Set = 'full'; Path = 'outside/dir-in/../hostname'; Right = 'ReadFile'; Expect = $true; What = '".." after a symlink outside to a directory of the allowed tree' }
        @{ Set = 'full'; Path = 'rw/dang-out'; Right = 'MakeReg'; Op = 'Create'; Expect = $false; What = 'creating through a dangling symlink in a writable directory to outside (created at the target)' }
        @{ Set = 'full'; Path = 'outside/dang-in'; Right = 'MakeReg'; Op = 'Create'; Expect = $true; What = 'creating through a dangling symlink outside to a writable directory' }
        @{ Set = 'full'; Path = 'rw/dang-out-w'; Right = 'WriteFile'; Op = 'Create'; Expect = $false; What = 'writing a new file through a dangling symlink to outside' }
        @{ Set = 'full'; Path = 'outside/dang-in-w'; Right = 'WriteFile'; Op = 'Create'; Expect = $true; What = 'writing a new file through a dangling symlink to a writable directory' }
        @{ Set = 'full'; Path = 'rw/chain'; Right = 'MakeReg'; Op = 'Create'; Expect = $false; What = 'creating through a chain of relative symlinks that ends outside' }
        @{ Set = 'full'; Path = 'outside/chain-in'; Right = 'MakeReg'; Op = 'Create'; Expect = $true; What = 'creating through a chain of relative symlinks that ends in a writable directory' }
        @{ Set = 'full'; Path = 'rw/dang-rm'; Right = 'RemoveFile'; Expect = $true; What = 'removing a dangling symlink from a writable directory (the link, not its target)' }
        @{ Set = 'full'; Path = 'outside/dang-rm'; Right = 'RemoveFile'; Expect = $false; What = 'removing a dangling symlink outside that points into a writable directory' }
        @{ Set = 'full'; Path = 'rw/link-dir'; Right = 'RemoveFile'; Expect = $true; What = 'removing a symlink to a directory (RemoveFile on the link, not RemoveDir)' }
        # /proc is readable in 'full'; another process's inspection entries are not, whatever the rules (CALLER: this pwsh's pid).
        @{ Set = 'full'; Path = '/proc/CALLER/environ'; Right = 'ReadFile'; Expect = $false; What = 'another process''s environment (Landlock''s ptrace check)' }
        @{ Set = 'full'; Path = '/proc/CALLER/fd/0'; Right = 'ReadFile'; Expect = $false; What = 'another process''s open file' }
        @{ Set = 'full'; Path = '/proc/CALLER/fd'; Right = 'ReadDir'; Expect = $true; What = 'the list of another process''s open files, which needs no inspection' }
        @{ Set = 'full'; Path = '/proc/CALLER/cwd'; Right = 'ReadDir'; Expect = $false; What = 'another process''s working folder' }
        @{ Set = 'full'; Path = '/proc/self/../CALLER/environ'; Right = 'ReadFile'; Expect = $false; What = 'another process''s environment, named through /proc/self/..' }
        @{ Set = 'full'; Path = '/proc/CALLER/status'; Right = 'ReadFile'; Expect = $true; What = 'another process''s status, which needs no inspection' }
        @{ Set = 'full'; Path = '/proc/self/environ'; Right = 'ReadFile'; Expect = $true; What = 'its own environment' }
        @{ Set = 'full'; Path = '/proc/self/fd'; Right = 'ReadDir'; Expect = $true; What = 'its own open files' }
        @{ Set = 'partial'; Path = 'outside/p-trunc.txt'; Right = 'Truncate'; Expect = $true; Verdict = 'Unhandled'; What = 'truncating when Truncate is not handled' }
        @{ Set = 'partial'; Path = 'outside/p-victim.txt'; Right = 'RemoveFile'; Expect = $true; Verdict = 'Unhandled'; What = 'removing when RemoveFile is not handled' }
        @{ Set = 'partial'; Path = 'allowed/p-trunc.txt'; Right = 'Truncate'; Expect = $true; Verdict = 'Unhandled'; What = 'truncating, unhandled, where the rule does not grant it' }
        @{ Set = 'partial'; Path = 'outside/p-new.txt'; Right = 'MakeReg'; Expect = $false; What = 'creating a file (handled) outside every rule' }
        @{ Set = 'partial'; Path = 'outside/secret.txt'; Right = 'ReadFile'; Expect = $false; What = 'reading (handled) outside every rule' }
        @{ Set = 'partial'; Path = 'allowed/file.txt'; Right = 'ReadFile'; Expect = $true; What = 'reading in the allowed directory' }
        # The cap lowers what is reported, never what the kernel is handed: reported not enforced, still denied.
        @{ Set = 'capped'; Path = 'outside/c-trunc.txt'; Right = 'Truncate'; Expect = $true; Verdict = 'NotEnforced'; Kernel = 'EACCES'; What = 'truncating while the cap says the kernel lacks Truncate' }
        @{ Set = 'capped'; Path = 'outside/secret.txt'; Right = 'ReadFile'; Expect = $false; What = 'reading outside every rule on that kernel' }
        @{ Set = 'capped'; Path = 'rw/c-new.txt'; Right = 'MakeReg'; Expect = $true; What = 'creating a file in a writable directory on that kernel' }
    )
    for ($i = 0; $i -lt $cases.Count; $i++) { $cases[$i].Index = $i }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Id = 'LandlockPS.Commands.TestLandlockAccessCommand'
    $script:Python = '/usr/bin/python3'

    # A scratch tree under the temp folder, which no system rule covers.
    function New-ScratchTree {
        $root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "llps-access-$([guid]::NewGuid().ToString('n'))")).FullName
        foreach ($dir in 'allowed/sub', 'allowed/emptydir', 'outside/inner', 'rw/emptydir', 'filerule', 'overlap/inner', 'via') {
            New-Item -ItemType Directory (Join-Path $root $dir) | Out-Null
        }
        foreach ($file in 'allowed/file.txt', 'allowed/sub/deep.txt', 'allowed/victim.txt', 'allowed/p-trunc.txt', 'outside/secret.txt',
            'outside/p-trunc.txt', 'outside/p-victim.txt', 'outside/c-trunc.txt', 'rw/victim.txt', 'rw/t.txt', 'filerule/only.txt',
            'filerule/other.txt', 'overlap/inner/x.txt', 'overlap/y.txt', 'via/v.txt', 'allowed/hostname', 'outside/hostname') {
            Set-Content -LiteralPath (Join-Path $root $file) -Value 'data'
        }
        foreach ($program in 'allowed/true', 'outside/true', 'rw/true') { Copy-Item /bin/true (Join-Path $root $program) }
        $links = @{ 'allowed/link-out' = 'outside/secret.txt'; 'outside/link-in' = 'allowed/file.txt'; 'outside/link-in2' = 'allowed/file.txt'
            'rw/link-out' = 'outside/secret.txt'; 'rw/link-out2' = 'outside/secret.txt'; 'vialink' = 'via' }
        foreach ($link in $links.GetEnumerator()) {
            New-Item -ItemType SymbolicLink -Path (Join-Path $root $link.Key) -Target (Join-Path $root $link.Value) | Out-Null
        }
        # Links kept as written: dangling ones (where the probe creates), relative chains and a loop.
        $written = @{ 'allowed/dir-out' = "$root/outside/inner"; 'outside/dir-in' = "$root/allowed/sub"; 'rw/link-dir' = "$root/outside"
            'rw/dang-out' = "$root/outside/made-by-link"; 'outside/dang-in' = "$root/rw/made-by-link"
            'rw/dang-out-w' = "$root/outside/made-by-write"; 'outside/dang-in-w' = "$root/rw/made-by-write"
            'rw/chain' = 'chain2'; 'rw/chain2' = '../outside/made-by-chain'; 'outside/chain-in' = 'chain-in2'; 'outside/chain-in2' = '../rw/made-by-chain'
            'rw/dang-rm' = "$root/outside/nothing"; 'outside/dang-rm' = "$root/rw/nothing"; 'outside/loop' = 'loop' }
        foreach ($link in $written.GetEnumerator()) { [IO.File]::CreateSymbolicLink((Join-Path $root $link.Key), $link.Value) | Out-Null }
        foreach ($link in @{ 'outside/hard-in' = 'allowed/file.txt'; 'outside/hard-only' = 'filerule/only.txt' }.GetEnumerator()) {
            New-Item -ItemType HardLink -Path (Join-Path $root $link.Key) -Target (Join-Path $root $link.Value) | Out-Null
        }
        $root
    }
}

Describe 'Test-LandlockAccess agrees with a confined child' -ForEach @(@{ Cases = $cases }) -Skip:(-not (Test-Path /usr/bin/python3)) {
    BeforeAll {
        $script:Root = New-ScratchTree
        $in = { param($relative) if ($relative.StartsWith('/')) { $relative -replace 'CALLER', $PID } else { Join-Path $Root $relative } }

        $full = New-SystemRuleset -Name full |
            Add-LandlockPathRule (& $in allowed) ReadExecute -PassThru |
            Add-LandlockPathRule (& $in rw) ReadWrite -PassThru |
            Add-LandlockPathRule (& $in filerule/only.txt) ReadFile, WriteFile -PassThru |
            Add-LandlockPathRule (& $in overlap) ReadFile -PassThru |
            Add-LandlockPathRule (& $in overlap/inner) WriteFile, MakeReg -PassThru |
            Add-LandlockPathRule (& $in vialink) ReadFile -PassThru |
            Add-LandlockPathRule /proc ReadOnly -PassThru
        # The system rules again, in a ruleset that leaves Truncate and RemoveFile unhandled.
        $handled = [LandlockPS.Core.Landlock.AbiFeatures]::Of('V7').AccessFs -band -bnot [LandlockPS.Core.Landlock.LandlockAccessFs]'Truncate, RemoveFile'
        $partial = New-LandlockRuleset -Name partial -Abi V7 -HandledAccessFs $handled
        foreach ($rule in (New-SystemRuleset).PathRules) { $partial | Add-LandlockPathRule -LiteralPath $rule.Path -Access $rule.Access }
        $partial | Add-LandlockPathRule (& $in allowed) ReadOnly
        $rulesets = @{ full = $full; partial = $partial; capped = $full }

        # One child per ruleset runs every case of it and prints one line each: "ok" or the errno name.
        # Each right is exercised by the one call the kernel checks it on. ReadDir lists a directory and
        # only looks at anything else, as ls does (nothing checks ReadDir on a file).
        $probe = @'
import errno, os, sys
def read_dir(p):
    os.listdir(p) if os.path.isdir(p) else os.stat(p)
def execute(p):
    os.waitpid(os.posix_spawn(p, [p], {}), 0)
ops = {
    'ReadFile': lambda p: os.close(os.open(p, os.O_RDONLY)),
    'WriteFile': lambda p: os.close(os.open(p, os.O_WRONLY)),
    'ReadDir': read_dir,
    'Execute': execute,
    'Truncate': lambda p: os.truncate(p, 0),
    'Create': lambda p: os.close(os.open(p, os.O_WRONLY | os.O_CREAT, 0o600)),
    'MakeReg': lambda p: os.mknod(p, 0o100600),
    'MakeDir': os.mkdir,
    'MakeSym': lambda p: os.symlink('target', p),
    'MakeFifo': os.mkfifo,
    'RemoveFile': os.unlink,
    'RemoveDir': os.rmdir,
}
args = sys.argv[1:]
for right, path in zip(args[0::2], args[1::2]):
    try:
        ops[right](path)
        print('ok')
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))
'@

        $script:Results = @{}
        foreach ($set in 'full', 'partial', 'capped') {
            $mine = @($Cases | Where-Object Set -EQ $set)
            if ($set -eq 'capped') { $env:LANDLOCKPS_TEST_ABI_CAP = '2' }
            try {
                # Every static answer first: the probe changes the tree.
                $static = foreach ($case in $mine) { Test-LandlockAccess -Ruleset $rulesets[$set] -LiteralPath (& $in $case.Path) -Access $case.Right }
                $arguments = @('-I', '-B', '-c', $probe) + @($mine | ForEach-Object { $_.Op ?? $_.Right; & $in $_.Path })
                $answers = @($rulesets[$set] | Invoke-Sandboxed -FilePath $Python -ArgumentList $arguments -WarningAction SilentlyContinue)
            }
            finally {
                Remove-Item Env:LANDLOCKPS_TEST_ABI_CAP -ErrorAction Ignore
            }
            $answers | Should -HaveCount $mine.Count -Because "the probe prints one line per case (got: $answers)"
            for ($i = 0; $i -lt $mine.Count; $i++) {
                $Results[$mine[$i].Index] = @{ Static = $static[$i]; Child = $answers[$i] }
            }
        }
    }

    AfterAll {
        Remove-Item -LiteralPath $Root -Recurse -Force -ErrorAction Ignore
    }

    It 'has at least 30 cases, at least 10 allowed and 10 denied' {
        $Cases.Count | Should -BeGreaterOrEqual 30
        @($Cases | Where-Object Expect).Count | Should -BeGreaterOrEqual 10
        @($Cases | Where-Object { -not $_.Expect }).Count | Should -BeGreaterOrEqual 10
    }

    It '<Set>: <Right> on <Path>, <What>' -ForEach $Cases {
        $result = $Results[$Index]
        $child = $result.Child
        $child | Should -BeIn 'ok', 'EACCES' -Because 'the probe either works or Landlock stops it'
        $kernelSays = if ($Kernel) { $Kernel } elseif ($result.Static.Allowed) { 'ok' } else { 'EACCES' }
        $child | Should -Be $kernelSays -Because "the explanation says: $($result.Static.Rights.Reason)"
        $result.Static.Allowed | Should -Be $Expect -Because 'that is what the tree is built to show'
        $verdict = if ($Verdict) { $Verdict } elseif ($Expect) { 'Allowed' } else { 'Denied' }
        $result.Static.Rights.Verdict | Should -Be $verdict
    }
}

Describe 'Test-LandlockAccess' {
    BeforeAll {
        $script:Root = New-ScratchTree
        $script:Rs = New-LandlockRuleset -Abi V7 | Add-LandlockPathRule (Join-Path $Root allowed) ReadOnly -PassThru
    }
    AfterAll {
        Remove-Item -LiteralPath $Root -Recurse -Force -ErrorAction Ignore
    }

    It 'takes the ruleset from the pipeline and paths by position' {
        $answer = $Rs | Test-LandlockAccess (Join-Path $Root allowed/file.txt) ReadFile
        $answer.Allowed | Should -BeTrue
        $answer.Rights[0].GrantedBy.Path | Should -Be (Join-Path $Root allowed)
        $answer.Rights[0].JudgedOn | Should -Be (Join-Path $Root allowed/file.txt)
    }

    It 'resolves relative paths against the PowerShell location' {
        Push-Location (Join-Path $Root allowed)
        try { $answer = Test-LandlockAccess -Ruleset $Rs -Path ./sub/deep.txt -Access ReadFile }
        finally { Pop-Location }
        $answer.Path | Should -Be './sub/deep.txt'
        $answer.FullPath | Should -Be (Join-Path $Root allowed/sub/deep.txt)
        $answer.Allowed | Should -BeTrue
    }

    It 'binds piped items by PSPath to -LiteralPath' {
        $answers = Get-ChildItem -LiteralPath (Join-Path $Root allowed) -Filter *.txt | Test-LandlockAccess -Ruleset $Rs -Access ReadFile
        $answers.Count | Should -Be 3
        $answers.Allowed | Should -Not -Contain $false
        $odd = [pscustomobject]@{ PSPath = Join-Path $Root 'outside/*' } | Test-LandlockAccess -Ruleset $Rs -Access ReadFile
        $odd.Type | Should -Be 'Missing' -Because 'a PSPath is literal: no wildcard expansion'
    }

    It 'expands wildcards in -Path but not in -LiteralPath' {
        (Test-LandlockAccess -Ruleset $Rs -Path (Join-Path $Root 'allowed/*.txt') -Access ReadFile).Count | Should -Be 3
        $literal = Test-LandlockAccess -Ruleset $Rs -LiteralPath (Join-Path $Root 'allowed/*.txt') -Access ReadFile
        $literal.Type | Should -Be 'Missing'
    }

    It 'reports a wildcard that matches nothing as PathNotFound' {
        Test-LandlockAccess -Ruleset $Rs -Path (Join-Path $Root 'allowed/*.none') -Access ReadFile -ErrorVariable ev -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be "PathNotFound,$Id"
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses a path of another provider with PathNotFileSystem' {
        Test-LandlockAccess -Ruleset $Rs -LiteralPath Env:HOME -Access ReadFile -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "PathNotFileSystem,$Id"
    }

    It 'refuses -Access None with AccessNotApplicable' {
        { Test-LandlockAccess -Ruleset $Rs -Path /usr -Access None } | Should -Throw -ErrorId "AccessNotApplicable,$Id"
    }

    It 'suggests the rule that fixes a denial, and the suggestion works' {
        $ruleset = $Rs.Clone()
        $target = Join-Path $Root 'allowed/sub/new.txt'
        $answer = Test-LandlockAccess -Ruleset $ruleset -Path $target -Access MakeReg, WriteFile, ReadFile
        $answer.Allowed | Should -BeFalse
        $answer.DeniedAccess | Should -Be ([LandlockPS.Core.Landlock.LandlockAccessFs]'MakeReg, WriteFile')
        $answer.Type | Should -Be 'Missing'
        $answer.Notes -join "`n" | Should -Match 'does not exist'
        $answer.Suggestion | Should -BeLike "Add-LandlockPathRule -Ruleset `$ruleset -LiteralPath '$(Join-Path $Root allowed/sub)' -Access *"
        & ([scriptblock]::Create($answer.Suggestion))
        (Test-LandlockAccess -Ruleset $ruleset -Path $target -Access MakeReg, WriteFile, ReadFile).Allowed | Should -BeTrue
    }

    It 'suggests no rule for another process''s inspection entries, which no rule opens' {
        $answer = Test-LandlockAccess -Ruleset $Rs -LiteralPath "/proc/$PID/environ" -Access ReadFile
        $answer.Allowed | Should -BeFalse
        $answer.Rights.Reason | Should -Match 'inspect only processes of its own sandbox'
        $answer.Fixes | Should -BeNullOrEmpty
        $answer.Suggestion | Should -BeNullOrEmpty
    }

    It 'suggests a rule below / for a missing path judged on /, to add once it exists, never one on / itself' {
        # The fix was a rule on '/': pasted, it granted the rights on the whole file system.
        $top = "/llps-missing-$(New-Guid)"
        foreach ($path in "$top/sub/file.txt", $top) {
            $answer = Test-LandlockAccess -Ruleset $Rs -Path $path -Access ReadFile
            $answer.Rights[0].JudgedOn | Should -Be '/'
            $answer.Fixes.Path | Should -Be $top
            $answer.Fixes.PathMissing | Should -BeTrue
            $answer.Suggestion | Should -BeLike "Add-LandlockPathRule -Ruleset `$ruleset -LiteralPath '$top' -Access ReadFile <# once that path exists: * only a rule on '/' covers it now, which would grant ReadFile on the whole file system #>"
            $answer.Explanation | Should -Match ([regex]::Escape("Fix: $($answer.Suggestion)"))
            "$($answer.Fixes)" | Should -BeLike "allow ReadFile on '$top' once it exists (*whole file system)"
        }
        # The twin: a missing path judged on an existing folder below '/' keeps its rule there, with no caveat.
        $answer = Test-LandlockAccess -Ruleset $Rs -Path "/etc$top/file.txt" -Access ReadFile
        $answer.Fixes.Path | Should -Be '/etc'
        $answer.Fixes.PathMissing | Should -BeFalse
        $answer.Suggestion | Should -Be "Add-LandlockPathRule -Ruleset `$ruleset -LiteralPath '/etc' -Access ReadFile"
        # '/' itself still gets its rule on '/'.
        (Test-LandlockAccess -Ruleset $Rs -Path / -Access ReadDir).Fixes.Path | Should -Be '/'
        # The comment keeps the suggestion pasteable: run, it adds the rule once the path exists.
        $ruleset = $Rs.Clone()
        $answer = Test-LandlockAccess -Ruleset $ruleset -Path "$top/file.txt" -Access ReadFile
        $null = New-Item -ItemType Directory $top
        try {
            & ([scriptblock]::Create($answer.Suggestion))
            (Test-LandlockAccess -Ruleset $ruleset -Path "$top/file.txt" -Access ReadFile).Allowed | Should -BeTrue
        }
        finally { Remove-Item -LiteralPath $top -Recurse -Force }
    }

    It 'judges a missing directory on its nearest existing ancestor' {
        $answer = Test-LandlockAccess -Ruleset $Rs -Path (Join-Path $Root 'allowed/no/such/file') -Access ReadFile
        $answer.Allowed | Should -BeTrue
        $answer.Rights[0].JudgedOn | Should -Be (Join-Path $Root allowed)
        $answer.Notes -join "`n" | Should -Match 'nearest existing ancestor'
    }

    It 'names the unhandled rights' {
        $answer = New-LandlockRuleset -Abi V2 | Test-LandlockAccess -Path (Join-Path $Root outside/secret.txt) -Access ReadFile, Truncate
        $answer.UnhandledAccess | Should -Be 'Truncate'
        $answer.DeniedAccess | Should -Be 'ReadFile'
        ($answer.Rights | Where-Object Right -EQ Truncate).Reason | Should -Match 'does not handle Truncate'
    }

    It 'says a right is not enforced on an older kernel' {
        $env:LANDLOCKPS_TEST_ABI_CAP = '2'
        try { $answer = Test-LandlockAccess -Ruleset $Rs -Path (Join-Path $Root outside/secret.txt) -Access Truncate }
        finally { Remove-Item Env:LANDLOCKPS_TEST_ABI_CAP }
        $answer.Rights[0].Verdict | Should -Be 'NotEnforced'
        $answer.Rights[0].Reason | Should -Match 'Landlock V2.*needs V3'
    }

    It 'notes a rule path that is gone' {
        $ruleset = $Rs.Clone()
        $gone = New-Item -ItemType Directory (Join-Path $Root gone)
        $ruleset | Add-LandlockPathRule $gone.FullName ReadOnly
        Remove-Item $gone
        $answer = Test-LandlockAccess -Ruleset $ruleset -Path (Join-Path $Root allowed/file.txt) -Access ReadFile
        $answer.Allowed | Should -BeTrue
        $answer.Notes -join "`n" | Should -Match "rule path '.*gone' cannot be opened"
    }

    It 'says why a path cannot be looked up: a symlink loop, a name too long' {
        Test-LandlockAccess -Ruleset $Rs -LiteralPath (Join-Path $Root outside/loop) -Access ReadFile -ErrorVariable ev -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be "PathNotAccessible,$Id"
        $ev[0].Exception.Message | Should -Match 'too many levels of symbolic links \(ELOOP\)'
        Test-LandlockAccess -Ruleset $Rs -LiteralPath (Join-Path $Root ('outside/' + 'n' * 300)) -Access MakeReg -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].Exception.Message | Should -Match 'too long \(ENAMETOOLONG\)'
    }

    It 'keeps ".." for the lookup and shows the path as the kernel is given it' {
        Push-Location (Join-Path $Root allowed)
        try {
            $answer = Test-LandlockAccess -Ruleset $Rs -LiteralPath dir-out/../hostname -Access ReadFile
            $backslashed = Test-LandlockAccess -Ruleset $Rs -LiteralPath 'dir-out\..\hostname' -Access ReadFile
        }
        finally { Pop-Location }
        $answer.FullPath | Should -Be (Join-Path $Root allowed/dir-out/../hostname)
        $answer.RealPath | Should -Be (Join-Path $Root outside/hostname)
        $answer.Allowed | Should -BeFalse
        $backslashed.RealPath | Should -Be (Join-Path $Root outside/hostname) -Because 'PowerShell takes \ as a separator too'
        # A provider-qualified path: only the part before ".." is PowerShell's, so its prefix stays whole.
        $qualified = Test-LandlockAccess -Ruleset $Rs -LiteralPath "Microsoft.PowerShell.Core\FileSystem::$Root/allowed/dir-out/../hostname" -Access ReadFile
        $qualified.RealPath | Should -Be (Join-Path $Root outside/hostname)
    }

    It 'judges a dangling symlink where it creates and removing it where it is' {
        $answer = Test-LandlockAccess -Ruleset $Rs -LiteralPath (Join-Path $Root outside/dang-in) -Access MakeReg, RemoveFile
        ($answer.Rights | Where-Object Right -EQ MakeReg).JudgedOn | Should -Be (Join-Path $Root rw)
        ($answer.Rights | Where-Object Right -EQ RemoveFile).JudgedOn | Should -Be (Join-Path $Root outside)
        $answer.Notes -join "`n" | Should -Match 'symbolic link to .*made-by-link.*which does not exist'
    }

    It 'shows the reasons and the fix by default, a table with Format-Table, every property with Format-List' {
        $answer = Test-LandlockAccess -Ruleset $Rs -Path (Join-Path $Root allowed/link-out) -Access ReadFile, RemoveFile
        $default = $answer | Out-String -Width 300
        $default | Should -Match "(?m)^Denied: ReadFile, RemoveFile on .*link-out \(File\)$"
        $default | Should -Match '(?m)^  ReadFile: No rule on .*outside/secret\.txt or a directory above it grants ReadFile\.$'
        $default | Should -Match "(?m)^  Fix: Add-LandlockPathRule -Ruleset \`$ruleset -LiteralPath '.*outside/secret\.txt' -Access ReadFile$"
        $default | Should -Match '(?m)^  Note: .*symbolic link'
        $table = $answer | Format-Table | Out-String
        $table | Should -Match 'Allowed\s+Requested\s+Denied\s+Type\s+Path'
        $table | Should -Match 'False\s+ReadFile, RemoveFile'
        $list = $answer | Format-List | Out-String -Width 300
        $list | Should -Match 'RealPath\s+: .*outside/secret\.txt'
        $list | Should -Match 'ReadFile\s+Denied\s+No rule on .*outside/secret\.txt'
        $list | Should -Match 'Suggestion\s+: Add-LandlockPathRule'
        ($answer.Rights | Out-String -Width 300) | Should -Match 'Right\s+Verdict\s+JudgedOn\s+Reason'
    }
}
