BeforeDiscovery {
    $docsDir = Join-Path (Split-Path $PSScriptRoot -Parent) 'docs/en-US'
    $manifest = Import-PowerShellDataFile (Join-Path (Split-Path $PSScriptRoot -Parent) 'LandlockPS.psd1')

    # Every ```powershell block under "## EXAMPLES", with the page and example title it belongs to.
    function Get-DocExample([string] $Path) {
        $text = Get-Content -Raw $Path
        $section = [regex]::Match($text, '(?s)## EXAMPLES\s*(.*?)(?=\n## )').Groups[1].Value
        $examples = [regex]::Matches($section, '(?s)### (?<title>[^\n]+)\n+```powershell\n(?<code>.*?)\n```')
        foreach ($m in $examples) {
            # An example marked "(interactive)" needs a person at a terminal (Enter-PSSession): it is
            # shown, not run.
            if ($m.Groups['title'].Value -match '\(interactive\)') { continue }
            @{ Page = Split-Path $Path -Leaf; Title = $m.Groups['title'].Value.Trim(); Code = $m.Groups['code'].Value }
        }
    }

    $script:Pages = $manifest.CmdletsToExport | ForEach-Object { @{ Name = $_; Path = Join-Path $docsDir "$_.md" } }
    $script:Examples = @($manifest.CmdletsToExport | ForEach-Object { Get-DocExample (Join-Path $docsDir "$_.md") }) +
        @(Get-ChildItem $docsDir -Filter 'about_*.md' | ForEach-Object { Get-DocExample $_.FullName })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Help page <Name>' -ForEach $Pages {
    BeforeAll {
        $text = Get-Content -Raw $Path
        $command = Get-Command $Name
    }

    It 'is a platyPS schema 2.0.0 page for LandlockPS.dll' {
        $text | Should -Match '(?m)^schema: 2\.0\.0$'
        $text | Should -Match '(?m)^external help file: LandlockPS\.dll-Help\.xml$'
        $text | Should -Match "(?m)^# $Name$"
    }

    It 'has a synopsis, a description and at least two examples' {
        $text | Should -Match '## SYNOPSIS\s*\n\S'
        $text | Should -Match '## DESCRIPTION\s*\n\S'
        ([regex]::Matches($text, '(?m)^### Example \d+')).Count | Should -BeGreaterOrEqual 2
    }

    It 'documents every parameter, and no parameter that does not exist' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters
        $actual = $command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object
        $documented = [regex]::Matches($text, '(?m)^### -(\w+)$') | ForEach-Object { $_.Groups[1].Value } | Sort-Object
        $documented | Should -Be $actual
    }

    It 'describes every parameter' {
        foreach ($m in [regex]::Matches($text, '(?s)### -(\w+)\n(.*?)```yaml')) {
            $m.Groups[2].Value.Trim() | Should -Not -BeNullOrEmpty -Because "-$($m.Groups[1].Value) needs a description"
        }
    }
}

Describe 'Example "<Title>" of <Page>' -ForEach $Examples {
    It 'runs without error' {
        $work = New-Item -ItemType Directory (Join-Path TestDrive: ([guid]::NewGuid()))
        Push-Location $work
        try {
            $ErrorActionPreference = 'Stop'
            $null = & ([scriptblock]::Create($Code)) | Out-String
        }
        finally {
            Pop-Location
        }
    }

    It 'writes nothing outside the folder it runs in' {
        # A reader types it in a folder of their own: a file it made in /tmp stayed there (Import-LandlockRuleset's first).
        $Code | Should -Not -Match '(?<![\w.-])/tmp/'
        $Code | Should -Not -Match 'New-Item[^\r\n]*GetTempPath' -Because 'a folder it made in the temporary folder stayed there too'
    }
}

Describe 'Get-Help <Name> -Full (compiled from docs/)' -ForEach $Pages {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'has the synopsis of its page' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match ([regex]::Escape($Name) + '\s*\[')   # not the generated syntax stand-in
    }

    It 'wraps its prose between words for an 80-column terminal' {
        # Each paragraph was one line, which the terminal broke inside words ('grants neit' then 'her').
        # What may be wider is what cannot be wrapped: the syntax, code, example titles, PowerShell's own lines,
        # and the synopsis, which Get-Help also lists in a table column.
        $code = @($help.Examples.Example.Code -split '\r?\n' | ForEach-Object Trim) + $help.Synopsis
        $wide = Get-Help $Name -Full | Out-String -Stream -Width 2000 | Where-Object { $_.Length -gt 80 } | Where-Object {
            $_.Trim() -notin $code -and $_ -notmatch "^    $([regex]::Escape($Name)) |-- Example \d+:|about_CommonParameters \(https"
        }
        $wide | Should -BeNullOrEmpty
    }

    It 'has at least two examples' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        $help.Examples.Example | ForEach-Object { $_.Code | Should -Not -BeNullOrEmpty }
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $entry = $help.Parameters.Parameter | Where-Object Name -EQ $parameter
            ($entry.Description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description in Get-Help"
        }
    }
}

Describe 'Get-Help about_LandlockPS' {
    BeforeAll {
        $about = Get-Help about_LandlockPS | Out-String
    }

    It 'explains <Section>' -ForEach @(
        @{ Section = 'WHAT LANDLOCK IS' }
        @{ Section = 'PROPOSING A RULESET, AND REVIEWING IT' }
        @{ Section = 'WHY A CHILD PROCESS' }
        @{ Section = 'RULESETS' }
        @{ Section = 'ABI VERSIONS AND COMPATIBILITY LEVELS' }
        @{ Section = 'NO PROCESS OUTLIVES ITS RUN' }
        @{ Section = "WHAT LANDLOCKPS CLOSES WHERE THE KERNEL'S LANDLOCK CANNOT" }
        @{ Section = 'WHAT LANDLOCK DOES NOT RESTRICT' }
        @{ Section = 'THREAT MODEL' }
        @{ Section = 'FROM A TRIAL RUN TO A POLICY' }
    ) {
        $about | Should -Match "(?m)^\s*$Section\s*$"
    }

    It 'is laid out as an about topic, its prose wrapped for an 80-column terminal' {
        $about | Should -Match '(?m)^TOPIC\s*\n\s+about_LandlockPS'
        $about -split '\n' | Where-Object Length -GT 80 | Should -BeNullOrEmpty
    }
}
