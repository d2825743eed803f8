# Shared set-up for every Pester file: import the built module from the repository, as a user would.
$script:RepoRoot = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $script:RepoRoot 'LandlockPS.psd1') -Force -ErrorAction Stop
