<#
.SYNOPSIS
    Compiles docs/en-US/about_*.md into the plain-text about topics Get-Help reads (about_*.help.txt).
.DESCRIPTION
    Get-Help shows an about topic's text as it is, so the markdown (read with Markdig) becomes
    text laid out the way PowerShell's own about topics are: section titles in capitals, prose
    wrapped and indented, list items and code kept on their own lines.
#>
param(
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $OutDirectory
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Width = 80

function Format-Wrapped([string] $Text, [int] $Indent, [int] $Hanging = $Indent) {
    $lines = [Collections.Generic.List[string]]::new()
    $line = ' ' * $Indent
    foreach ($word in ($Text -split '\s+' | Where-Object { $_ })) {
        if ($line.Trim() -and $line.Length + 1 + $word.Length -gt $Width) {
            $lines.Add($line.TrimEnd())
            $line = ' ' * $Hanging
        }
        $line += $(if ($line.Trim()) { ' ' } else { '' }) + $word
    }
    if ($line.Trim()) { $lines.Add($line.TrimEnd()) }
    $lines
}

# Inline markdown read as text: code spans and emphasis lose their markers, links keep their text.
function ConvertTo-PlainText([string] $Markdown) {
    $Markdown -replace '`([^`]*)`', '$1' -replace '\*\*([^*]+)\*\*', '$1' -replace '\[([^\]]+)\]\([^)]+\)', '$1'
}

function ConvertTo-AboutText([string] $Path) {
    $text = Get-Content -Raw $Path
    $out = [Collections.Generic.List[string]]::new()
    foreach ($block in [Markdig.Markdown]::Parse($text)) {
        $raw = $text.Substring($block.Span.Start, $block.Span.Length)
        # Not a switch: a list block is itself a collection, and switch would walk its items.
        if ($block -is [Markdig.Syntax.HeadingBlock]) {
            $title = ConvertTo-PlainText $raw.TrimStart('#').Trim()
            if ($block.Level -eq 1) { $out.Add('TOPIC'); $out.Add("    $title") }
            elseif ($block.Level -eq 2) { $out.Add(''); $out.Add($title.ToUpperInvariant()) }
            else { $out.Add(''); $out.Add("  $($title.ToUpperInvariant())") }
        }
        elseif ($block -is [Markdig.Syntax.FencedCodeBlock]) {
            $out.Add('')
            foreach ($codeLine in $block.Lines.ToString().TrimEnd() -split '\r?\n') { $out.Add("        $codeLine".TrimEnd()) }
        }
        elseif ($block -is [Markdig.Syntax.ListBlock]) {
            $out.Add('')
            foreach ($item in $block) {
                $itemText = ConvertTo-PlainText ($text.Substring($item.Span.Start, $item.Span.Length) -replace '^\s*[-*]\s*', '')
                $out.AddRange([string[]](Format-Wrapped "- $itemText" 4 6))
            }
        }
        else {
            $out.Add('')
            $out.AddRange([string[]](Format-Wrapped (ConvertTo-PlainText $raw) 4))
        }
    }
    ($out -join "`n") + "`n"
}

$null = New-Item -ItemType Directory -Force $OutDirectory
foreach ($page in Get-ChildItem $DocsPath -Filter 'about_*.md') {
    $target = Join-Path $OutDirectory "$($page.BaseName).help.txt"
    Set-Content -LiteralPath $target -Value (ConvertTo-AboutText $page.FullName) -NoNewline
}
