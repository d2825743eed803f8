<#
.SYNOPSIS
    Compiles docs/en-US/<Verb-Noun>.md (platyPS schema 2.0.0) into the module's MAML help file.
.DESCRIPTION
    platyPS is not available from this project's registries, so the build does what it does: the
    markdown (read with Markdig, which pwsh ships) gives the prose (synopsis, description, parameter
    descriptions, examples, inputs, outputs, notes, links); the cmdlets themselves give the syntax
    and parameter metadata. Run in a pwsh that has the built module imported.
#>
param(
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $ModuleName,
    [Parameter(Mandatory)] [string] $OutFile
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

# Sections of one page: H2 title -> the blocks under it (H3 headings, paragraphs, code, lists).
function Read-Page([string] $Path) {
    $text = Get-Content -Raw $Path
    $doc = [Markdig.Markdown]::Parse($text)
    $sections = [ordered]@{}
    $current = $null
    foreach ($block in $doc) {
        $raw = $text.Substring($block.Span.Start, $block.Span.Length)
        if ($block -is [Markdig.Syntax.HeadingBlock] -and $block.Level -eq 2) {
            $current = [Collections.Generic.List[object]]::new()
            $sections[$raw.TrimStart('#').Trim()] = $current
            continue
        }
        if ($null -eq $current) { continue }
        # One line per list item: joined with spaces, a list of rules reads as a run-on line in Get-Help.
        if ($block -is [Markdig.Syntax.ListBlock]) {
            $items = foreach ($item in $block) { ($text.Substring($item.Span.Start, $item.Span.Length) -replace '\s*\r?\n\s*', ' ').Trim() }
            $current.Add([pscustomobject]@{ Kind = 'text'; Info = ''; Body = $items -join "`n" })
            continue
        }
        $kind = switch ($block) {
            { $_ -is [Markdig.Syntax.HeadingBlock] } { 'h3'; break }
            { $_ -is [Markdig.Syntax.FencedCodeBlock] } { 'code'; break }
            default { 'text' }
        }
        $body = switch ($kind) {
            'h3' { $raw.TrimStart('#').Trim() }
            'code' { ($block.Lines.ToString()).TrimEnd() }
            default { ($raw -replace '\s*\r?\n\s*', ' ').Trim() }
        }
        $current.Add([pscustomobject]@{ Kind = $kind; Info = if ($kind -eq 'code') { $block.Info } else { '' }; Body = $body })
    }
    $sections
}

function Get-Paragraphs($Blocks) { @($Blocks | Where-Object Kind -EQ 'text' | ForEach-Object Body) }

# Blocks under each H3 of a section, keyed by the H3 text.
function Split-Subsections($Blocks) {
    $result = [ordered]@{}
    $key = $null
    foreach ($b in $Blocks) {
        if ($b.Kind -eq 'h3') { $key = $b.Body; $result[$key] = [Collections.Generic.List[object]]::new(); continue }
        if ($null -ne $key) { $result[$key].Add($b) }
    }
    $result
}

# Get-Help shows a paragraph as it is, indented ($Indent: 4, or 8 under a parameter, a type or the
# notes), and an 80-column terminal broke each long one inside a word: its lines are wrapped between
# words to fit there. A list item goes on under its text. The synopsis stays whole: Get-Help lists it
# in a table column.
function Write-Paras([Xml.XmlWriter] $w, [string[]] $Paragraphs, [int] $Indent = 4, [switch] $Whole) {
    foreach ($p in $Paragraphs) { $w.WriteElementString('para', $ns.maml, $(if ($Whole) { $p } else { Format-Paragraph $p (80 - $Indent) })) }
}

function Format-Paragraph([string] $Text, [int] $Width) {
    @(foreach ($item in $Text -split "`n") {
            $lines = [Collections.Generic.List[string]]::new()
            $line = ''
            foreach ($word in ($item -split ' ' | Where-Object { $_ })) {
                if ($line.Trim() -and $line.Length + 1 + $word.Length -gt $Width) {
                    $lines.Add($line)
                    $line = if ($item.StartsWith('- ')) { '  ' } else { '' }
                }
                $line += $(if ($line.Trim()) { ' ' } else { '' }) + $word
            }
            $lines.Add($line)
            $lines -join "`n"
        }) -join "`n"
}

# "--------- Example 1: ... ---------", with shorter rules where the title is long, to fit 80 columns.
function Format-ExampleTitle([string] $Title) {
    $rule = '-' * [Math]::Clamp([int][Math]::Floor((76 - $Title.Length - 2) / 2), 2, 9)
    "$rule $Title $rule"
}

function Write-Parameter([Xml.XmlWriter] $w, $Parameter, $SetData, [string[]] $Description) {
    $w.WriteStartElement('command', 'parameter', $ns.command)
    $w.WriteAttributeString('required', "$($SetData.IsMandatory)".ToLowerInvariant())
    $w.WriteAttributeString('variableLength', "$($Parameter.ParameterType.IsArray)".ToLowerInvariant())
    $w.WriteAttributeString('globbing', "$([bool]($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }))".ToLowerInvariant())
    $pipeline = @(if ($SetData.ValueFromPipeline) { 'ByValue' }; if ($SetData.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
    $w.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
    $w.WriteAttributeString('position', $(if ($SetData.Position -ge 0) { "$($SetData.Position)" } else { 'named' }))
    $w.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $w.WriteElementString('name', $ns.maml, $Parameter.Name)
    $w.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $w $Description 8; $w.WriteEndElement()
    $typeName = $Parameter.ParameterType.Name
    if ($Parameter.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
        $w.WriteStartElement('command', 'parameterValue', $ns.command)
        $w.WriteAttributeString('required', 'true')
        $w.WriteAttributeString('variableLength', "$($Parameter.ParameterType.IsArray)".ToLowerInvariant())
        $w.WriteString($typeName)
        $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, $Parameter.ParameterType.FullName); $w.WriteEndElement()
    $w.WriteEndElement()
}

function Write-TypeList([Xml.XmlWriter] $w, [string] $ListName, [string] $ItemName, $Blocks) {
    $w.WriteStartElement('command', $ListName, $ns.command)
    foreach ($entry in (Split-Subsections $Blocks).GetEnumerator()) {
        $w.WriteStartElement('command', $ItemName, $ns.command)
        $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, $entry.Key); $w.WriteEndElement()
        $w.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $w (Get-Paragraphs $entry.Value) 8; $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
}

$settings = [Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [Text.UTF8Encoding]::new($false) }
$null = New-Item -ItemType Directory -Force (Split-Path $OutFile)
$w = [Xml.XmlWriter]::Create($OutFile, $settings)
try {
    $w.WriteStartDocument()
    $w.WriteStartElement('helpItems', 'http://msh')
    $w.WriteAttributeString('schema', 'maml')
    foreach ($command in Get-Command -Module $ModuleName -CommandType Cmdlet | Sort-Object Name) {
        $page = Join-Path $DocsPath "$($command.Name).md"
        if (-not (Test-Path $page)) { throw "No help page for $($command.Name): $page" }
        $s = Read-Page $page
        $parameterDocs = Split-Subsections $s['PARAMETERS']
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

        $w.WriteStartElement('command', 'command', $ns.command)
        $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
        $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
        $w.WriteStartElement('command', 'details', $ns.command)
        $w.WriteElementString('name', $ns.command, $command.Name)
        $w.WriteElementString('verb', $ns.command, $command.Verb)
        $w.WriteElementString('noun', $ns.command, $command.Noun)
        $w.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $w (Get-Paragraphs $s['SYNOPSIS']) -Whole; $w.WriteEndElement()
        $w.WriteEndElement()

        $w.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $w (Get-Paragraphs $s['DESCRIPTION']); $w.WriteEndElement()

        $w.WriteStartElement('command', 'syntax', $ns.command)
        foreach ($set in $command.ParameterSets) {
            $w.WriteStartElement('command', 'syntaxItem', $ns.command)
            $w.WriteElementString('name', $ns.maml, $command.Name)
            foreach ($p in $set.Parameters | Where-Object Name -NotIn $common) {
                Write-Parameter $w $command.Parameters[$p.Name] $p (Get-Paragraphs $parameterDocs["-$($p.Name)"])
            }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'parameters', $ns.command)
        foreach ($p in $command.Parameters.Values | Where-Object Name -NotIn $common) {
            $setData = $p.ParameterSets.Values | Sort-Object IsMandatory -Descending | Select-Object -First 1
            Write-Parameter $w $p $setData (Get-Paragraphs $parameterDocs["-$($p.Name)"])
        }
        $w.WriteEndElement()

        Write-TypeList $w 'inputTypes' 'inputType' $s['INPUTS']
        Write-TypeList $w 'returnValues' 'returnValue' $s['OUTPUTS']

        $w.WriteStartElement('maml', 'alertSet', $ns.maml)
        $w.WriteStartElement('maml', 'alert', $ns.maml); Write-Paras $w (Get-Paragraphs $s['NOTES']) 8; $w.WriteEndElement()
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'examples', $ns.command)
        foreach ($example in (Split-Subsections $s['EXAMPLES']).GetEnumerator()) {
            $w.WriteStartElement('command', 'example', $ns.command)
            $w.WriteElementString('title', $ns.maml, (Format-ExampleTitle $example.Key))
            $w.WriteElementString('code', $ns.dev, (@($example.Value | Where-Object Kind -EQ 'code' | ForEach-Object Body) -join "`n`n"))
            $w.WriteStartElement('dev', 'remarks', $ns.dev); Write-Paras $w (Get-Paragraphs $example.Value); $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'relatedLinks', $ns.command)
        foreach ($link in [regex]::Matches((Get-Paragraphs $s['RELATED LINKS']) -join ' ', '\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)')) {
            $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
            $w.WriteElementString('linkText', $ns.maml, $link.Groups['text'].Value)
            $uri = $link.Groups['uri'].Value
            $w.WriteElementString('uri', $ns.maml, $(if ($uri -match '^https?://') { $uri } else { '' }))
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndDocument()
}
finally {
    $w.Dispose()
}
