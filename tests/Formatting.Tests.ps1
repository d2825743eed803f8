BeforeDiscovery {
    # Every public type the views cover: each gets a table view and a list view.
    $script:ViewedTypes = @(
        'LandlockPS.Core.Landlock.LandlockRuleset'
        'LandlockPS.Core.Landlock.LandlockPathRule'
        'LandlockPS.Core.Landlock.LandlockNetRule'
        'LandlockPS.Core.Propose.LandlockProposedRule'
        'LandlockPS.Core.Landlock.LandlockProfile'
        'LandlockPS.Core.Landlock.LandlockSupport'
        'LandlockPS.Core.Landlock.AbiFeatures'
        'LandlockPS.Core.Landlock.LandlockErratum'
        'LandlockPS.Core.Landlock.LandlockEnforcementReport'
        'LandlockPS.Core.Landlock.LandlockAccessExplanation'
        'LandlockPS.Core.Landlock.LandlockRightVerdict'
        'LandlockPS.Core.Landlock.LandlockAccessFix'
        'LandlockPS.Core.Sandbox.SandboxResult'
        'LandlockPS.Core.Observe.LandlockAccessEvent'
        'LandlockPS.Core.Policy.PolicyImportResult'
        'LandlockPS.Core.Policy.PolicyExportResult'
    ) | ForEach-Object { @{ TypeName = $_ } }
}

BeforeAll {
    . $PSScriptRoot/common.ps1

    # What a view must never print: a type name, an empty collection's braces, a collection's type.
    $script:RawText = 'LandlockPS\.Core|System\.(Collections|Object)|\{\}|\{\w.*…\}'

    # Rendered at $Width columns in a runspace of its own, without a console: the views that size
    # themselves to the screen then do as at an 80-column terminal, whatever terminal runs the tests.
    $script:Renderer = [powershell]::Create()
    $null = $Renderer.AddCommand('Import-Module').AddArgument((Join-Path $RepoRoot 'LandlockPS.psd1')).Invoke()
    function Get-Rendered([scriptblock] $Output, [int] $Width) {
        $Renderer.Commands.Clear()
        $text = $Renderer.AddScript('param($items, $width) $items | Out-String -Width $width').AddArgument(@(& $Output)).AddArgument($Width).Invoke()
        "$text".Trim()
    }

    # A type and the public LandlockPS types it exposes through its properties (and their collections).
    function Get-ExposedType([type] $Type, [System.Collections.Generic.HashSet[type]] $Seen) {
        if ($Type.IsGenericType) { $Type.GetGenericArguments() | ForEach-Object { Get-ExposedType $_ $Seen }; return }
        if ($Type.IsArray) { Get-ExposedType $Type.GetElementType() $Seen; return }
        if (-not $Type.IsPublic -or $Type.IsEnum -or $Type.IsValueType -or $Type.Namespace -notlike 'LandlockPS*' -or -not $Seen.Add($Type)) { return }
        $Type
        $Type.GetProperties() | ForEach-Object { Get-ExposedType $_.PropertyType $Seen }
    }
}

AfterAll {
    $Renderer.Dispose()
}

Describe 'Formatting' {
    BeforeAll {
        $script:Long = Join-Path $TestDrive 'a-directory-with-a-long-name/and-another-level-below-it'
        $null = New-Item -ItemType Directory $Long
        $script:Rs = New-LandlockRuleset -Name demo |
            Add-LandlockPathRule -Path /usr -Access ReadExecute -PassThru |
            Add-LandlockPathRule -Path $Long -Access ReadFile, ReadDir, WriteFile, MakeDir, MakeReg, RemoveFile, Truncate -PassThru |
            Add-LandlockNetRule -Port 443 -Access ConnectTcp -PassThru
        $script:V5 = New-LandlockRuleset -Abi V5 | Add-LandlockPathRule -Path /usr -Access ReadWrite -PassThru
        $script:Sys = New-SystemRuleset
        $script:Run = Invoke-Sandboxed -Ruleset $Sys -FilePath /bin/true -PassThru
        $script:Explained = Test-LandlockAccess -Ruleset $Rs -Path /usr/bin/env, /etc/passwd -Access ReadExecute
        $script:Events = @(
            [LandlockPS.Core.Observe.LandlockAccessEvent]@{ Program = '/usr/bin/cat'; Operation = 'execve'; Path = '/usr/bin/cat'; Access = 'Execute'; Allowed = $true }
            [LandlockPS.Core.Observe.LandlockAccessEvent]@{ Program = '/usr/bin/cat'; Operation = 'open'; Path = '/etc/shadow'; Access = 'ReadFile'; Allowed = $false; DeniedAccess = 'ReadFile'; Count = 2
                Reason = 'No rule grants ReadFile there.'; Suggestion = "Add-LandlockPathRule -Ruleset `$ruleset -LiteralPath '/etc/shadow' -Access ReadFile" }
            [LandlockPS.Core.Observe.LandlockAccessEvent]@{ Program = '/usr/bin/curl'; Operation = 'connect'; Port = 443; NetAccess = 'ConnectTcp'; Allowed = $false
                Suggestion = 'Add-LandlockNetRule -Ruleset $ruleset -Port 443 -Access ConnectTcp' }
            [LandlockPS.Core.Observe.LandlockAccessEvent]@{ Program = '/usr/bin/nc'; Operation = 'socket'; Emulation = 'UdpSockets'; Allowed = $false }
            [LandlockPS.Core.Observe.LandlockAccessEvent]@{ Program = '/usr/bin/tee'; Operation = 'open'; Path = '/etc/hosts'; Access = 'WriteFile' }
        )
    }

    It 'registers a table view and a list view for <TypeName>' -TestCases $ViewedTypes {
        param($TypeName)
        $controls = (Get-FormatData -TypeName $TypeName).FormatViewDefinition.Control | ForEach-Object { $_.GetType().Name }
        $controls | Should -Contain 'TableControl'
        $controls | Should -Contain 'ListControl'
    }

    It 'covers every public type a cmdlet outputs or exposes as a property' {
        $seen = [System.Collections.Generic.HashSet[type]]::new()
        $exposed = (Get-Command -Module LandlockPS).OutputType.Type | ForEach-Object { Get-ExposedType $_ $seen }
        $exposed | Should -Not -BeNullOrEmpty
        foreach ($type in $exposed) {
            $type.FullName | Should -BeIn $ViewedTypes.TypeName -Because 'every public type that reaches the pipeline needs its views'
        }
    }

    It "prints the issue's pipeline as a table of rules: 'ReadExecute' and '/usr' on one line" {
        $text = Get-Rendered { New-LandlockRuleset | Add-LandlockPathRule -Path /usr -Access ReadExecute -PassThru } 80
        $text | Should -Match '(?m)^ReadExecute +/usr$'
        $text | Should -Match '(?m)^Access +Target$'
        $text | Should -Not -Match $RawText
    }

    It 'names access relative to what the ruleset handles, wherever its rules are shown' {
        # Every right of ABI 5 but Execute is ReadWrite there, not "All but Execute, ResolveUnix".
        foreach ($text in (Get-Rendered { $V5 } 80), (Get-Rendered { $V5.PathRules } 80),
            (Get-Rendered { $V5.PathRules | Format-List } 80), (Get-Rendered { $V5 | Format-List } 80), "$($V5.PathRules[0])") {
            $text | Should -Match 'ReadWrite\b'
            $text | Should -Not -Match 'All but|ResolveUnix'
        }
        $V5.PathRules[0].RulesetHandledAccessFs | Should -Be $V5.HandledAccessFs
    }

    It 'prints <Name> that went through serialization as the live one' -TestCases @(
        @{ Name = 'a ruleset'; Show = { param($r) $r } }
        @{ Name = 'a ruleset with Format-Table'; Show = { param($r) $r | Format-Table } }
        @{ Name = 'a ruleset with Format-List'; Show = { param($r) $r | Format-List } }
        @{ Name = 'path rules'; Show = { param($r) $r.PathRules } }
        @{ Name = 'path rules with Format-List'; Show = { param($r) $r.PathRules | Format-List } }
        @{ Name = 'net rules'; Show = { param($r) $r.NetRules } }
        @{ Name = 'net rules with Format-List'; Show = { param($r) $r.NetRules | Format-List } }
    ) {
        # A ruleset back from a session or a sandbox, or from Import-Clixml, printed as nothing at all:
        # its view called a method a property bag does not have.
        $file = Join-Path $TestDrive "$([guid]::NewGuid()).xml"
        $V5 | Add-LandlockNetRule -Port 8443 -Access BindTcp -PassThru | Export-Clixml $file
        $copy = Import-Clixml $file
        $copy.pstypenames[0] | Should -Be 'Deserialized.LandlockPS.Core.Landlock.LandlockRuleset'
        $live = Get-Rendered { & $Show $V5 } 80
        $live | Should -Not -BeNullOrEmpty
        Get-Rendered { & $Show $copy } 80 | Should -Be $live
    }

    It 'prints every view of <TypeName> for a copy that went through serialization as for the live one' -TestCases @(
        @{ TypeName = 'LandlockPS.Core.Propose.LandlockProposedRule'; Sample = { ($Events | ConvertTo-LandlockRuleset -IncludeFlagged -WarningAction Ignore).ProposedRules } }
        @{ TypeName = 'LandlockPS.Core.Landlock.LandlockProfile'; Sample = { Get-LandlockProfile WebClient } }
        @{ TypeName = 'LandlockPS.Core.Landlock.LandlockSupport'; Sample = { Get-LandlockAbi } }
        @{ TypeName = 'LandlockPS.Core.Landlock.AbiFeatures'; Sample = { Get-LandlockAbi -ListKnown } }
        @{ TypeName = 'LandlockPS.Core.Landlock.LandlockErratum'; Sample = { [LandlockPS.Core.Landlock.LandlockErratum]::FromBitmask(3) } }
        @{ TypeName = 'LandlockPS.Core.Landlock.LandlockEnforcementReport'; Sample = { Test-LandlockRuleset $Sys; Test-LandlockRuleset (New-LandlockRuleset -Abi V10) } }
        @{ TypeName = 'LandlockPS.Core.Landlock.LandlockAccessExplanation'; Sample = { $Explained; Test-LandlockAccess -Ruleset $Rs -Path /no/such/dir/file -Access WriteFile } }
        @{ TypeName = 'LandlockPS.Core.Landlock.LandlockRightVerdict'; Sample = { $Explained.Rights } }
        @{ TypeName = 'LandlockPS.Core.Landlock.LandlockAccessFix'; Sample = { $Explained.Fixes; [LandlockPS.Core.Landlock.LandlockAccessFix]::LiftEmulation('UdpSockets', 'None', 'ConnectSendUdp') } }
        @{ TypeName = 'LandlockPS.Core.Sandbox.SandboxResult'; Sample = { $Run } }
        @{ TypeName = 'LandlockPS.Core.Observe.LandlockAccessEvent'; Sample = { $Events } }
        @{ TypeName = 'LandlockPS.Core.Observe.LandlockAccessEvent#Denial'; Sample = { $Events | Where-Object Allowed -EQ $false | ForEach-Object { $_.pstypenames.Insert(0, 'LandlockPS.Core.Observe.LandlockAccessEvent#Denial'); $_ } } }
        @{ TypeName = 'LandlockPS.Core.Policy.PolicyImportResult'; Sample = { [LandlockPS.Core.Policy.PolicyImport]::ToRuleset([LandlockPS.Core.Policy.PolicyImport]::Read([Text.Encoding]::UTF8.GetBytes('{"abi": 4, "pathBeneath": [{"allowedAccess": ["v4.read_execute"], "parent": ["/usr"]}]}'), 'p.json', 'Json'), '/', 'p') } }
        @{ TypeName = 'LandlockPS.Core.Policy.PolicyExportResult'; Sample = { [LandlockPS.Core.Policy.PolicyExport]::ToText($Rs, 'Toml') } }
    ) {
        # Objects back from Invoke-Command -Session, a sandboxed script block or Import-Clixml are property
        # bags: a view that handed one of their enums or themselves to a method printed a blank column.
        $live = @(& $Sample)
        $live | Should -Not -BeNullOrEmpty
        $views = (Get-FormatData -TypeName $TypeName).FormatViewDefinition
        $views | Should -Not -BeNullOrEmpty
        $file = Join-Path $TestDrive "$([guid]::NewGuid()).xml"
        $live | Export-Clixml $file
        $copies = @{
            'Import-Clixml' = Import-Clixml $file
            # A session sends objects at depth 1 unless their type asks for more.
            'a session' = $live | ForEach-Object { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($_, 1)) }
        }
        foreach ($way in $copies.Keys) {
            $copy = $copies[$way]
            $copy[0].pstypenames[0] | Should -BeLike 'Deserialized.*'
            foreach ($view in $views) {
                $format = @{ TableControl = 'Format-Table'; ListControl = 'Format-List'; CustomControl = 'Format-Custom' }[$view.Control.GetType().Name]
                $expected = Get-Rendered { $live | & $format -View $view.Name } 80
                $expected | Should -Not -BeNullOrEmpty
                Get-Rendered { $copy | & $format -View $view.Name } 80 | Should -Be $expected -Because "view $($view.Name) prints a copy from $way as the live object"
            }
            Get-Rendered { $copy } 80 | Should -Be (Get-Rendered { $live } 80) -Because "the default view prints a copy from $way as the live object"
        }
    }

    It 'keeps the path in view at width 80 when a rule grants a long list of rights' {
        $head = [regex]::Escape($Long.Substring(0, 12))
        (Get-Rendered { $Rs } 80) | Should -Match "(?m)^ReadOnly, WriteFile, +$head"
        (Get-Rendered { $Rs.PathRules } 80) | Should -Match "(?m)^ReadOnly, WriteFile, +$head"
        foreach ($text in (Get-Rendered { $Rs } 80), (Get-Rendered { $Rs.PathRules } 80)) {
            # Wrapped after commas: no right's name is cut in two.
            foreach ($right in 'RemoveFile', 'MakeDir', 'MakeReg', 'Truncate') { $text | Should -Match "\b$right\b" }
        }
    }

    It 'wraps a proposal''s rights and flags after a comma at width 80, never inside a name' {
        # 'WriteFile, MakeReg, Trunc' then 'ate': the rights were wrapped for a wider column than the table gave them.
        $proposal = ($Events + [LandlockPS.Core.Observe.LandlockAccessEvent]@{ Program = '/usr/bin/tee'; Operation = 'open'; Path = (Join-Path $HOME "notes-$(New-Guid).txt"); Access = 'WriteFile, MakeReg' }) |
            ConvertTo-LandlockRuleset -IncludeFlagged -WarningAction Ignore
        $text = Get-Rendered { $proposal.ProposedRules } 80
        $text | Should -Match '(?m)^ +1 True +HomeWrite, +WriteFile, MakeReg, +\S'
        # (a home holding a repository one level down, such as ~/.pyenv, is RepositoryWrite too)
        $text | Should -Match '(?m)^ +Secret,? +Truncate'
        foreach ($name in 'SystemWrite', 'ReadExecute', 'ConnectTcp', 'RepositoryWrite', 'WideListing') {
            if ($proposal.ProposedRules.Flag -match $name -or $name -notmatch 'Repository|Wide') { $text | Should -Match "\b$name\b" }
        }
    }

    It 'keeps the path in view at width 80 in Test-LandlockAccess tables' {
        $text = Get-Rendered { $Explained | Format-Table } 80
        $text | Should -Match '(?m)^True +ReadExecute +File +/usr/bin/env$'
        $text | Should -Match '(?m)^False +ReadExecute +Execute, ReadFile +File +/etc/passwd$'
    }

    It 'lists a ruleset''s rules one per line with Format-List' {
        $text = Get-Rendered { $Rs | Format-List } 80
        $text | Should -Match '(?m)^PathRules +: ReadExecute on /usr$'
        $text | Should -Match '(?m)^NetRules +: ConnectTcp on port 443$'
        $text | Should -Match '(?m)^Profiles +: None$'
    }

    It 'sums a ruleset up in one row with Format-Table' {
        $text = Get-Rendered { $Rs | Format-Table } 80
        $text | Should -Match '(?m)^demo +V10 +BestEffort +2 +1 +everything$'
    }

    It 'keeps a ruleset''s table row on one line at 80 columns, unnamed or named, <Ruleset>' -TestCases @(
        @{ Ruleset = 'handling everything'; Make = { New-LandlockRuleset -CompatibilityLevel HardRequirement }; Handles = 'everything' }
        @{ Ruleset = 'handling part'; Make = { New-LandlockRuleset -CompatibilityLevel HardRequirement -HandledAccessFs ReadWrite -HandledAccessNet ConnectTcp }; Handles = 'ReadWrite; ConnectTcp; all scopes' }
    ) {
        # The unnamed default wrapped its last column, one character too wide: '...; all scope' then 's'.
        foreach ($name in $null, 'nightly-build') {
            $rs = & $Make
            if ($name) { $rs.Name = $name }
            $lines = (Get-Rendered { $rs | Format-Table } 80) -split '\r?\n'
            $lines.Count | Should -Be 3 -Because 'a header, its underline and one row'
            $lines[2] | Should -Match "^$([regex]::Escape($(if ($name) { $name } else { '(unnamed)' }))) .* $([regex]::Escape($Handles))$"
        }
    }

    It 'shows a run''s outcome in a table and the implicit rules of a script block run in a list' {
        (Get-Rendered { $Run | Format-Table } 80) | Should -Match '(?m)^ +0 +Exited +\d+:\d\d:\d\d\.\d{3} +FullyEnforced +/bin/true$'
        $result = Invoke-Sandboxed -Ruleset $Sys -ScriptBlock { 1 } -PassThru | Where-Object { $_ -is [LandlockPS.Core.Sandbox.SandboxResult] }
        $text = Get-Rendered { $result } 200
        $text | Should -Match '(?m)^ImplicitRules +: \w.* on /'
        $text | Should -Not -Match 'ResolveUnix'
        $text | Should -Not -Match $RawText
    }

    It 'prints <Name> readably at width <Width>' -TestCases @(
        foreach ($width in 80, 200) {
            @{ Name = 'a ruleset'; Width = $width; Output = { $Rs }; Expected = 'HandledAccessFs +: ReadWriteExecute' }
            @{ Name = 'a ruleset with Format-List'; Width = $width; Output = { $Rs | Format-List }; Expected = 'CompatibilityLevel +: BestEffort' }
            @{ Name = 'a ruleset with Format-Table'; Width = $width; Output = { $Rs | Format-Table }; Expected = 'Paths +Ports +Handles' }
            @{ Name = 'path rules'; Width = $width; Output = { $Rs.PathRules }; Expected = 'ReadExecute +/usr' }
            @{ Name = 'path rules with Format-List'; Width = $width; Output = { $Rs.PathRules | Format-List }; Expected = 'Access +: ReadExecute' }
            @{ Name = 'net rules'; Width = $width; Output = { $Rs.NetRules }; Expected = '443 +ConnectTcp' }
            @{ Name = 'net rules with Format-List'; Width = $width; Output = { $Rs.NetRules | Format-List }; Expected = 'Port +: 443' }
            @{ Name = 'Get-LandlockAbi'; Width = $width; Output = { Get-LandlockAbi }; Expected = 'Errata +: (\d+(, )?)+|Errata +: None' }
            @{ Name = 'Get-LandlockAbi with Format-Table'; Width = $width; Output = { Get-LandlockAbi | Format-Table }; Expected = 'Available +V\d+' }
            @{ Name = 'Get-LandlockAbi -ListKnown'; Width = $width; Output = { Get-LandlockAbi -ListKnown }; Expected = 'V9 +7\.1 +ResolveUnix' }
            @{ Name = 'Get-LandlockAbi -ListKnown with Format-List'; Width = $width; Output = { Get-LandlockAbi -ListKnown | Format-List }; Expected = 'AccessNet +: BindTcp, ConnectTcp' }
            @{ Name = 'errata'; Width = $width; Output = { [LandlockPS.Core.Landlock.LandlockErratum]::FromBitmask(1) }; Expected = '1 +V4 +TCP' }
            @{ Name = 'errata with Format-List'; Width = $width; Output = { [LandlockPS.Core.Landlock.LandlockErratum]::FromBitmask(1) | Format-List }; Expected = 'AffectedSince +: V4' }
            @{ Name = 'Test-LandlockRuleset'; Width = $width; Output = { Test-LandlockRuleset $Sys }; Expected = 'Status +: FullyEnforced' }
            @{ Name = 'Test-LandlockRuleset with Format-Table'; Width = $width; Output = { Test-LandlockRuleset $Sys | Format-Table }; Expected = 'FullyEnforced +V7 +V\d+ +0 +None' }
            @{ Name = 'Test-LandlockAccess'; Width = $width; Output = { $Explained }; Expected = '(?m)^  Fix: Add-LandlockPathRule' }
            @{ Name = 'Test-LandlockAccess with Format-Table'; Width = $width; Output = { $Explained | Format-Table }; Expected = 'Allowed +Requested +Denied +Type +Path' }
            @{ Name = 'Test-LandlockAccess with Format-List'; Width = $width; Output = { $Explained | Format-List }; Expected = 'Suggestion +: Add-LandlockPathRule' }
            @{ Name = 'fixes'; Width = $width; Output = { $Explained.Fixes }; Expected = 'ReadFile +/\S+ +Add-LandlockPathRule' }
            @{ Name = 'fixes with Format-List'; Width = $width; Output = { $Explained.Fixes | Format-List }; Expected = 'Command +: Add-LandlockPathRule' }
            @{ Name = 'verdicts on rights'; Width = $width; Output = { $Explained[0].Rights }; Expected = 'Execute +Allowed' }
            @{ Name = 'verdicts on rights with Format-List'; Width = $width; Output = { $Explained[0].Rights | Format-List }; Expected = 'GrantedBy +: ReadExecute on /usr' }
            @{ Name = 'Get-LandlockProfile'; Width = $width; Output = { Get-LandlockProfile WebClient }; Expected = 'ConnectTcp on port 443' }
            @{ Name = 'Get-LandlockProfile with Format-Table'; Width = $width; Output = { Get-LandlockProfile | Format-Table }; Expected = 'WebClient +12 +53, 80, 443' }
            @{ Name = 'Invoke-Sandboxed -PassThru'; Width = $width; Output = { $Run }; Expected = 'Command +: /bin/true' }
            @{ Name = 'Invoke-Sandboxed -PassThru with Format-Table'; Width = $width; Output = { $Run | Format-Table }; Expected = 'ExitCode +Ending +Duration +Status +Command' }
            @{ Name = 'a run''s enforcement'; Width = $width; Output = { $Run.Enforcement }; Expected = 'Dropped +: None' }
        }
    ) {
        param($Name, $Width, $Output, $Expected)
        $text = Get-Rendered $Output $Width
        $text | Should -Match $Expected
        $text | Should -Not -Match $RawText
    }
}

Describe 'Rules at a real terminal''s width' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) {
    It 'keeps <Rights> on one line at <Width> columns, and wraps it at 80' -TestCases @(
        @{ Width = 160; Rights = 'WriteFile, ReadFile, Truncate' }
    ) {
        $out = (New-Item -ItemType Directory (Join-Path TestDrive: out)).FullName
        $tmux = Start-Terminal "llps-width-$PID" -Width $Width
        try {
            $null = Wait-TerminalText $tmux '(?m)^PS .*>'
            Send-TerminalLine $tmux ("Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'; `$rs = New-LandlockRuleset | " +
                "Add-LandlockPathRule /usr ReadExecute -PassThru | Add-LandlockPathRule '$out' $($Rights -replace ' ') -PassThru; `$rs; `$rs.PathRules | Out-Host; 'shown' + '-both'")
            $screen = Wait-TerminalText $tmux '(?m)^shown-both'
            $lines = [regex]::Matches($screen, "(?m)^$([regex]::Escape($Rights)) +$([regex]::Escape($out))\s*$")
            $lines.Count | Should -Be 2 -Because 'the ruleset and its PathRules both keep the rights on one line'
            # The twin: the same view at 80 columns wraps the list after a comma.
            & tmux resize-window -t $tmux -x 80
            Send-TerminalLine $tmux "`$rs; 'shown' + '-narrow'"
            Wait-TerminalText $tmux '(?m)^shown-narrow' | Should -Match "(?m)^WriteFile, ReadFile, +$([regex]::Escape($out.Substring(0, 8))).*\n\s*Truncate"
        }
        finally { & tmux kill-session -t $tmux 2>$null }
    }

    It 'breaks Test-LandlockAccess''s reasons between words at 80 columns, and its fix so that it still pastes' {
        # The terminal broke them where the screen ended: 'grants WriteFi' then 'le.'
        # A short path: one longer than a line can only be broken by the terminal, wherever TMPDIR is.
        $data = (New-Item -ItemType Directory (Join-Path TestDrive: 'data')).FullName
        $tmux = Start-Terminal "llps-explain-$PID" -Width 80
        try {
            $null = Wait-TerminalText $tmux '(?m)^PS .*>'
            Send-TerminalLine $tmux ("Import-Module '$(Join-Path $RepoRoot 'LandlockPS.psd1')'; `$ruleset = New-LandlockRuleset -Abi V7 | Add-LandlockPathRule '$data' ReadOnly -PassThru; " +
                "Test-LandlockAccess -Ruleset `$ruleset -Path '$data/report.csv', '/llps-missing-$PID/x' -Access MakeReg, WriteFile; 'shown' + '-explained'")
            $screen = Wait-TerminalText $tmux '(?m)^shown-explained'
            $reason = [regex]::Match($screen, '(?ms)^  WriteFile: No rule on\b.*?(?=^  MakeReg)').Value
            $reason | Should -Not -BeNullOrEmpty
            $reason.TrimEnd() -split '\n' | Select-Object -Skip 1 | Should -Match '^    \S' -Because 'each line that goes on is indented under the reason'
            ($reason -replace '\s+', ' ').Trim() | Should -Be "WriteFile: No rule on $data or a directory above it grants WriteFile."
            # The fix breaks between words too, each broken line ending in a backtick: pasted, it is the command whole.
            $fix, $missing = [regex]::Matches($screen, "(?ms)^  Fix: (.*?)\n(?=Denied|shown-explained)").ForEach({ $_.Groups[1].Value.Trim() })
            $fix | Should -Match '` *\n +\S' -Because 'it is broken, with a backtick'
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($fix, [ref]$null, [ref]$null)
            $ast.EndBlock.Statements | Should -HaveCount 1
            $command = $ast.EndBlock.Statements[0].PipelineElements[0].CommandElements.Extent.Text
            $command | Should -Be 'Add-LandlockPathRule', '-Ruleset', '$ruleset', '-LiteralPath', "'$data'", '-Access', 'WriteFile, MakeReg'
            # A fix with a <# #> comment breaks inside the comment with no backtick, and still parses as one command.
            # Where its lines break depends on the path's length (the PID in it): compare the words.
            ($missing -replace '\s+', ' ') | Should -Match '<# once that path exists: [^`]*#>$'
            [System.Management.Automation.Language.Parser]::ParseInput($missing, [ref]$null, [ref]$null).EndBlock.Statements | Should -HaveCount 1
        }
        finally { & tmux kill-session -t $tmux 2>$null }
    }
}
