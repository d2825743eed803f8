using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Policy;

namespace LandlockPS.Commands;

/// <summary>Writes a ruleset as a landlockconfig policy file (JSON or TOML).</summary>
[Cmdlet(VerbsData.Export, "LandlockRuleset", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportLandlockRulesetCommand : PSCmdlet
{
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [RulesetTransformation]
    [ValidateNotNull]
    public LandlockRuleset Ruleset { get; set; } = null!;

    // Taken literally: a file to create has nothing for a wildcard to match.
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("LiteralPath", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    [Parameter]
    public PolicyFormat? Format { get; set; }

    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string? file = ResolveTarget(Path);
        if (file is null) return;
        PolicyFormat format = Format ?? (file.EndsWith(".toml", StringComparison.OrdinalIgnoreCase) ? PolicyFormat.Toml : PolicyFormat.Json);
        if (!ShouldProcess(file, $"Write ruleset '{Ruleset.Name ?? "(unnamed)"}' as a {format} policy")) return;

        PolicyExportResult result;
        try
        {
            result = PolicyExport.ToText(Ruleset, format);
        }
        catch (Core.LandlockException e)
        {
            WriteError(ErrorHelper.FromException(e, Ruleset));
            return;
        }
        foreach (string warning in result.Warnings) SessionWarnings.WriteOnce(this, warning);
        try
        {
            WriteWhole(file, result.Text);
        }
        catch (Core.LandlockException e)
        {
            string why = e.Errno == Core.Native.Errno.EISDIR
                ? $"'{file}' is a folder. Name the policy file to write, such as '{System.IO.Path.Join(file, "policy.toml")}'."
                : $"Cannot write '{file}': {e.Message}";
            WriteError(ErrorHelper.Create("PolicyFileNotWritten", why, file, e.Errno));
            return;
        }
        if (PassThru) WriteObject(InvokeProvider.Item.Get([file], force: true, literalPath: true), enumerateCollection: true);
    }

    private string? ResolveTarget(string input)
    {
        if (PathResolver.ReportingBadInput(this, input, () => PathResolver.Resolve(this, input, literal: true)) is not [string file]) return null;
        if (!_written.Add(file))
        {
            // A second ruleset to the same file would silently replace the first.
            WriteError(ErrorHelper.Create("PolicyFileReused",
                $"'{file}' was already written by this command; a policy file holds one ruleset. Give each ruleset its own file.", Ruleset));
            return null;
        }
        if (NoClobber && File.Exists(file))
        {
            WriteError(ErrorHelper.Create("PolicyFileExists",
                $"'{file}' exists and -NoClobber is set. Remove -NoClobber to replace it, or choose another path.", file));
            return null;
        }
        return file;
    }

    // Through a temporary file in the same folder and a rename, so a reader never sees half a policy
    // and a failure leaves the old file as it was. The folder is opened once, as the path names it,
    // and the rest is done through that descriptor: a link at the file's name is replaced, never
    // followed (a sandbox of this user may have planted it: that the caller owns it proves nothing),
    // and no folder swapped meanwhile can redirect the write. A replaced file keeps its permission
    // bits (a 0600 policy stays private), never setuid or sticky ones.
    private static void WriteWhole(string path, string text)
    {
        using var folder = Core.Native.SafeDirectoryHandle.Open(System.IO.Path.GetDirectoryName(path) ?? "/");
        string name = System.IO.Path.GetFileName(path);
        string temporary = $".{name}.{Guid.NewGuid():N}.tmp";
        try
        {
            folder.WriteNewFile(temporary, new System.Text.UTF8Encoding(false).GetBytes(text), folder.PlainFileMode(name) ?? NewFileMode);
            folder.Rename(temporary, name);
        }
        finally
        {
            folder.TryRemoveFile(temporary);
        }
    }

    // rw for all, less the umask, as any new file.
    private const uint NewFileMode = 0x1B6;
}
