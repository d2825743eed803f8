using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace LandlockPS.Remoting;

/// <summary>The LandlockPS in use: enough to let a child pwsh import the very same module by name.</summary>
internal sealed record ModuleLocation(string Name, Version Version, Guid Guid, string RootModule,
    IReadOnlyList<string> FormatFiles, IReadOnlyList<string> TypeFiles, IReadOnlyList<string> Cmdlets)
{
    /// <summary>Folders the child must read to load it.</summary>
    public IEnumerable<string> Folders =>
        FormatFiles.Concat(TypeFiles).Prepend(RootModule).Select(f => Path.GetDirectoryName(f)!).Distinct(StringComparer.Ordinal);

    /// <summary>A manifest that loads the module from where it is, whatever folder it was imported from.</summary>
    public string ShimManifest() =>
        "@{\n" +
        $"    RootModule = {List([RootModule])}\n" +
        $"    ModuleVersion = '{Version}'\n" +
        $"    GUID = '{Guid}'\n" +
        $"    FormatsToProcess = @({List(FormatFiles)})\n" +
        $"    TypesToProcess = @({List(TypeFiles)})\n" +
        $"    CmdletsToExport = @({List(Cmdlets)})\n" +
        "    FunctionsToExport = @()\n    AliasesToExport = @()\n    VariablesToExport = @()\n}\n";

    // PowerShell's own escaping: typographic quotes end a single-quoted string too.
    private static string List(IEnumerable<string> items) =>
        string.Join(", ", items.Select(i => $"'{System.Management.Automation.Language.CodeGeneration.EscapeSingleQuotedStringContent(i)}'"));
}
