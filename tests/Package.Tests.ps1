BeforeAll {
    . $PSScriptRoot/common.ps1
    # A .nupkg's entry names and its .nuspec.
    function Read-Package([string] $Path) {
        $zip = [IO.Compression.ZipFile]::OpenRead($Path)
        try {
            $entries = $zip.Entries.FullName
            $reader = [IO.StreamReader]::new(($zip.Entries | Where-Object FullName -Like '*.nuspec').Open())
            try { $nuspec = [xml]$reader.ReadToEnd() } finally { $reader.Dispose() }
        } finally {
            $zip.Dispose()
        }
        , $entries
        $nuspec
    }
    Add-Type -AssemblyName System.IO.Compression.FileSystem

    $script:Scratch = Join-Path ([IO.Path]::GetTempPath()) "landlockps-package-test-$([guid]::NewGuid().ToString('N'))"
    $script:Manifest = Import-PowerShellDataFile (Join-Path $RepoRoot 'LandlockPS.psd1')

    # What the user has: packaging and installing must leave both as they were.
    $script:UserRepositories = Join-Path ([Environment]::GetFolderPath('LocalApplicationData', 'DoNotVerify')) 'PSResourceGet/PSResourceRepository.xml'
    $script:UserRepositoriesBefore = Get-Content -Raw $UserRepositories -ErrorAction Ignore
    # Not only the same content: not written at all (a register/unregister pair would rewrite it).
    $script:UserRepositoriesWritten = (Get-Item $UserRepositories -ErrorAction Ignore).LastWriteTimeUtc
    $script:UserInstall = Join-Path $HOME '.local/share/powershell/Modules/LandlockPS'
    $script:UserInstallBefore = Test-Path $UserInstall

    # The same packaging build.ps1 -Task Package does, from the module this test run built.
    $script:Package = & (Join-Path $RepoRoot 'tools/New-ModulePackage.ps1') -ModuleRoot $RepoRoot -OutPath (Join-Path $Scratch 'out')
    $script:Library = & (Join-Path $RepoRoot 'tools/New-CorePackage.ps1') -ModuleRoot $RepoRoot -OutPath (Join-Path $Scratch 'out/nuget')
}

AfterAll {
    Remove-Item $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'The module package' {
    BeforeAll {
        $script:Entries, $script:Nuspec = Read-Package $Package
        # The files of the module, without the package's own plumbing.
        $script:ModuleFiles = $Entries | Where-Object { $_ -notmatch '^(_rels/|package/|\[Content_Types\]\.xml$|LandlockPS\.nuspec$)' }
    }

    It 'is named for the manifest''s version, in the repository it was published to' {
        $Package | Should -Be (Join-Path $Scratch "out/repo/LandlockPS.$($Manifest.ModuleVersion).nupkg")
        $Nuspec.package.metadata.id | Should -Be 'LandlockPS'
        $Nuspec.package.metadata.version | Should -Be $Manifest.ModuleVersion
    }

    It 'holds the manifest, the payload, every compiled help file, LICENSE and README, and nothing else' {
        $expected = @(
            'LandlockPS.psd1', 'LICENSE', 'README.md'
            Get-ChildItem (Join-Path $RepoRoot 'LandlockPS') -File | Where-Object Extension -In '.dll', '.ps1xml' | ForEach-Object { "LandlockPS/$($_.Name)" }
            Get-ChildItem (Join-Path $RepoRoot 'en-US') -File -Recurse -Name | ForEach-Object { "en-US/$_" }
        )
        $ModuleFiles | Sort-Object | Should -Be ($expected | Sort-Object)
    }

    It 'ships <File>' -TestCases @(
        @{ File = 'LandlockPS/LandlockPS.dll' }
        @{ File = 'LandlockPS/LandlockPS.Core.dll' }
        @{ File = 'LandlockPS/Tomlyn.dll' }
        @{ File = 'LandlockPS/ELFSharp.dll' }
        @{ File = 'LandlockPS/LandlockPS.format.ps1xml' }
        @{ File = 'LandlockPS/LandlockPS.types.ps1xml' }
        @{ File = 'en-US/LandlockPS.dll-Help.xml' }
    ) {
        $ModuleFiles | Should -Contain $File
    }

    It 'holds no sources, tests, build leftovers or debug symbols' {
        $ModuleFiles | Where-Object { $_ -match '^(src|tests|docs|obj|bin|out|tools)/|\.pdb$|\.deps\.json$' } | Should -BeNullOrEmpty
    }

    It 'carries the gallery metadata from the manifest' {
        $psData = $Manifest.PrivateData.PSData
        $psData.Tags | Should -Contain 'Landlock'
        $psData.ReleaseNotes | Should -Match $Manifest.ModuleVersion
        $metadata = $Nuspec.package.metadata
        $metadata.licenseUrl | Should -Be $psData.LicenseUri
        $metadata.projectUrl | Should -Be $psData.ProjectUri
        $metadata.releaseNotes | Should -Be ($psData.ReleaseNotes -replace '\r\n', "`n")
        $metadata.description | Should -Be $Manifest.Description
        foreach ($tag in $psData.Tags) { $metadata.tags -split ' ' | Should -Contain $tag }
    }
}

Describe 'Installing the package' {
    BeforeAll {
        # A fresh pwsh with a throwaway home and a module path of an empty folder and $PSHOME/Modules
        # only: what it imports by name can only come from the install.
        $script:Installed = & (Join-Path $RepoRoot 'tools/Invoke-PwshWithScratchHome.ps1') -ScratchHome (Join-Path $Scratch 'home') -ArgumentList (Split-Path $Package) -ScriptBlock {
            param([string] $Repository)
            $ErrorActionPreference = 'Stop'
            $modules = Join-Path $env:XDG_DATA_HOME 'powershell/Modules'
            New-Item -ItemType Directory -Path $modules -Force | Out-Null
            $env:PSModulePath = $modules + [IO.Path]::PathSeparator + (Join-Path $PSHOME 'Modules')
            $before = @(Get-ChildItem $modules -Force).Count

            Register-PSResourceRepository -Name LandlockPSTest -Uri $Repository -Trusted
            try {
                Install-PSResource -Name LandlockPS -Repository LandlockPSTest -TrustRepository -Scope CurrentUser -Quiet
            } finally {
                Unregister-PSResourceRepository -Name LandlockPSTest
            }

            Import-Module LandlockPS
            $module = Get-Module LandlockPS
            [pscustomobject]@{
                ModulePath     = $modules
                EntriesBefore  = $before
                ModuleBase     = $module.ModuleBase
                Version        = $module.Version.ToString()
                Cmdlets        = @($module.ExportedCmdlets.Keys | Sort-Object)
                AbiStatus      = (Get-LandlockAbi).Status.ToString()
                HelpFile       = Join-Path $module.ModuleBase "en-US/$((Get-Command Get-LandlockAbi).HelpFile)"
                HelpSynopsis   = (Get-Help Get-LandlockAbi).Synopsis
                HelpExamples   = @((Get-Help Get-LandlockAbi -Examples).examples.example).Count
                Repositories   = @((Get-PSResourceRepository).Name)
            }
        }
    }

    It 'installs into an empty module path' {
        $Installed.EntriesBefore | Should -Be 0
        $Installed.ModuleBase | Should -Be (Join-Path $Installed.ModulePath "LandlockPS/$($Manifest.ModuleVersion)")
    }

    It 'imports by name from there and runs Get-LandlockAbi' {
        $Installed.Cmdlets | Should -Be ($Manifest.CmdletsToExport | Sort-Object)
        $Installed.AbiStatus | Should -Be 'Available'
    }

    It 'installs the version the manifest declares' {
        $Installed.Version | Should -Be $Manifest.ModuleVersion
    }

    It 'answers Get-Help from the installed copy' {
        # The only help file the fresh pwsh can reach is the installed one.
        $Installed.HelpFile | Should -Be (Join-Path $Installed.ModuleBase 'en-US/LandlockPS.dll-Help.xml')
        $Installed.HelpFile | Should -Exist
        $Installed.HelpSynopsis | Should -Be (Get-Help Get-LandlockAbi).Synopsis
        $Installed.HelpExamples | Should -BeGreaterOrEqual 2
    }

    It 'leaves no repository registered, there or in the user''s own list, and installs nothing for the user' {
        $Installed.Repositories | Should -Not -Contain 'LandlockPSTest'
        $Installed.Repositories | Should -Not -Contain 'LandlockPSPackage'
        Get-Content -Raw $UserRepositories -ErrorAction Ignore | Should -Be $UserRepositoriesBefore
        (Get-Item $UserRepositories -ErrorAction Ignore).LastWriteTimeUtc | Should -Be $UserRepositoriesWritten
        Test-Path $UserInstall | Should -Be $UserInstallBefore
        # .NET gives PSResourceGet and NuGet the working directory when a user folder is missing.
        Join-Path $RepoRoot 'PSResourceGet' | Should -Not -Exist
        Join-Path $RepoRoot 'NuGet' | Should -Not -Exist
    }
}

Describe 'The library package (LandlockPS.Core)' {
    BeforeAll {
        $script:LibraryEntries, $script:LibraryNuspec = Read-Package $Library
    }

    It 'has the module''s version' {
        $Library | Should -Be (Join-Path $Scratch "out/nuget/LandlockPS.Core.$($Manifest.ModuleVersion).nupkg")
        $LibraryNuspec.package.metadata.version | Should -Be $Manifest.ModuleVersion
    }

    It 'holds the assembly, its API documentation and the README for .NET users, and declares what it needs' {
        $LibraryEntries | Should -Contain 'lib/net10.0/LandlockPS.Core.dll'
        $LibraryEntries | Should -Contain 'lib/net10.0/LandlockPS.Core.xml'
        $LibraryEntries | Should -Contain 'README.md'
        $LibraryNuspec.package.metadata.readme | Should -Be 'README.md'
        $LibraryNuspec.package.metadata.license.'#text' | Should -Be 'MIT'
        $LibraryNuspec.package.metadata.dependencies.group.dependency.id | Sort-Object | Should -Be 'ELFSharp', 'Tomlyn'
        $LibraryEntries | Where-Object { $_ -match 'PowerShell|Management\.Automation|LandlockPS\.dll' } | Should -BeNullOrEmpty
    }

    It 'builds the sample (samples/ConfineChild) from the package, which confines a child: <Label>' -ForEach @(
        @{ Label = 'denied'; Line = '^denied: exit 1 \(FullyEnforced\): .*/etc/hostname: Permission denied$' }
        @{ Label = 'allowed'; Line = "^allowed: exit 0 \(FullyEnforced\): $([regex]::Escape((Get-Content -Raw /etc/hostname).Trim()))`$" }
    ) {
        if (-not $script:SampleOutput) {
            # Its own package folder and artifacts: a package of this version cached earlier cannot stand in for this one.
            $project = Join-Path $RepoRoot 'samples/ConfineChild/ConfineChild.csproj'
            $artifacts = Join-Path $Scratch 'sample'
            $build = dotnet build $project -c Release --nologo -v quiet --artifacts-path $artifacts "-p:LandlockPSCoreVersion=$($Manifest.ModuleVersion)" `
                "-p:RestoreAdditionalProjectSources=$(Split-Path $Library)" "-p:RestorePackagesPath=$(Join-Path $Scratch 'packages')" 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "the sample builds from the package ($build)"
            $dll = Get-ChildItem (Join-Path $artifacts 'bin') -Recurse -Filter ConfineChild.dll | Select-Object -First 1
            Get-ChildItem (Split-Path $dll.FullName) -Filter LandlockPS.Core.dll | Should -Not -BeNullOrEmpty
            $script:SampleOutput = dotnet $dll.FullName
            $script:SampleExit = $LASTEXITCODE
        }
        $SampleExit | Should -Be 0
        @($SampleOutput) -match $Line | Should -HaveCount 1 -Because "the sample printed: $($SampleOutput -join ' | ')"
    }
}
