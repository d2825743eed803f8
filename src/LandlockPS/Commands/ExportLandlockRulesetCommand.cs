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
        foreach (string warning in result.Warnings) WriteWarning(warning);
        try
        {
            WriteWhole(file, result.Text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(ErrorHelper.Create("PolicyFileNotWritten", e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError,
                $"Cannot write '{file}': {e.Message}", file));
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
            WriteError(ErrorHelper.Create("PolicyFileReused", ErrorCategory.InvalidOperation,
                $"'{file}' was already written by this command; a policy file holds one ruleset. Give each ruleset its own file.", Ruleset));
            return null;
        }
        if (NoClobber && File.Exists(file))
        {
            WriteError(ErrorHelper.Create("PolicyFileExists", ErrorCategory.ResourceExists,
                $"'{file}' exists and -NoClobber is set. Remove -NoClobber to replace it, or choose another path.", file));
            return null;
        }
        return file;
    }

    // Through a temporary file in the same folder and a rename, so a reader never sees half a policy
    // and a failure leaves the old file as it was. A link of the caller's own is written through (the
    // file it points to is replaced, the link stays); a link someone else planted (a world-writable
    // /tmp) is replaced itself, never followed, as the kernel's protected_symlinks would have it. A
    // replaced file keeps its permission bits (a 0600 policy stays private), never setuid or sticky ones.
    private static void WriteWhole(string path, string text)
    {
        string file = LinkOfTheCallersOwn(path) ? new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)!.FullName : path;
        UnixFileMode? mode = File.Exists(file) ? File.GetUnixFileMode(file) & PermissionBits : null;
        string temporary = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(file) ?? "/", $".{System.IO.Path.GetFileName(file)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (mode is { } kept) options.UnixCreateMode = kept;
            using (var writer = new StreamWriter(temporary, new System.Text.UTF8Encoding(false), options)) writer.Write(text);
            File.Move(temporary, file, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private const UnixFileMode PermissionBits =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static bool LinkOfTheCallersOwn(string path) =>
        new FileInfo(path).LinkTarget is not null && Core.Native.FileOwner.IsCallers(path);
}
