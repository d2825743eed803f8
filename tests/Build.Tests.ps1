BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'build.ps1' {
    It 'compiles the help in a checkout whose path holds quotes' {
        # Paths travel to the help compiler as arguments, never spliced into code: a quote stays a quote.
        $odd = New-Item -ItemType Directory (Join-Path $TestDrive "it's a `"quoted`" checkout")
        foreach ($part in 'build.ps1', 'LandlockPS.psd1', 'LandlockPS', 'docs', 'tools') {
            Copy-Item -Recurse (Join-Path $RepoRoot $part) $odd
        }
        & (Join-Path $PSHOME pwsh) -NoProfile -NonInteractive -File (Join-Path $odd build.ps1) -Task Docs *> $null
        $LASTEXITCODE | Should -Be 0
        Join-Path $odd en-US/LandlockPS.dll-Help.xml | Should -Exist
        Join-Path $odd en-US/about_LandlockPS.help.txt | Should -Exist
    }
}
