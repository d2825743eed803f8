using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace LandlockPS;

/// <summary>
/// A PowerShell script given as the program (./build.ps1, or a .ps1 on PATH): as with &amp;, it runs
/// as PowerShell, not as an executable, here in a confined child pwsh, as Invoke-Command -FilePath
/// runs it: arguments by position, pipeline input, typed objects back. It runs from its own path, so
/// $PSScriptRoot and its neighbours work; its folder is the one thing the child may read for it.
/// </summary>
internal sealed class ScriptFile
{
    private ScriptFile(string path) => Path = path;

    public string Path { get; }

    public string Folder => System.IO.Path.GetDirectoryName(Path)!;

    /// <summary>The script <paramref name="filePath"/> names, or null when it names no .ps1 file (a program, or nothing).</summary>
    internal static ScriptFile? Find(PSCmdlet cmdlet, string filePath)
    {
        if (!filePath.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase)) return null;
        if (!filePath.Contains('/'))
        {
            return cmdlet.InvokeCommand.GetCommand(filePath, CommandTypes.ExternalScript) is ExternalScriptInfo script ? new ScriptFile(script.Path) : null;
        }
        return ExecutableResolver.Resolve(cmdlet, filePath) is { } path && File.Exists(path) ? new ScriptFile(path) : null;
    }

    /// <summary>
    /// The block the child runs: the script, by path, with the arguments and (when there is any) the
    /// input. The script's `exit N` only ends the script, as with &amp;; the block then exits with the
    /// $LASTEXITCODE it left (its exit code, or its last program's), which Invoke-Sandboxed reports.
    /// </summary>
    internal ScriptBlock Invocation(bool expectsInput)
    {
        string call = $"& '{CodeGeneration.EscapeSingleQuotedStringContent(Path)}' @args";
        return ScriptBlock.Create((expectsInput ? "$input | " + call : call) + "; if ($null -ne $global:LASTEXITCODE) { exit $global:LASTEXITCODE }");
    }
}
