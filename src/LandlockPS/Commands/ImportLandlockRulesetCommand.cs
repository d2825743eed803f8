using System.Management.Automation;
using LandlockPS.Core.Policy;

namespace LandlockPS.Commands;

/// <summary>Reads landlockconfig policy files (JSON or TOML) into rulesets.</summary>
[Cmdlet(VerbsData.Import, "LandlockRuleset", DefaultParameterSetName = PathSet)]
[OutputType(typeof(Core.Landlock.LandlockRuleset))]
public sealed class ImportLandlockRulesetCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = null!;

    [Parameter]
    public PolicyFormat? Format { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BasePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    private string _baseDirectory = null!;

    protected override void BeginProcessing() => _baseDirectory = ResolveBasePath();

    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string input in literal ? LiteralPath : Path)
        {
            foreach (string file in ResolveFiles(input, literal)) Import(file);
        }
    }

    private void Import(string file)
    {
        PolicyImportResult result;
        try
        {
            result = PolicyImport.FromFile(file, Format, _baseDirectory, Name);
        }
        catch (PolicyException e)
        {
            WriteError(ErrorHelper.FromException(e, file));
            return;
        }
        foreach (string detail in result.Details) WriteVerbose(detail);
        foreach (string warning in result.Warnings) WriteWarning($"{file}: {warning}");
        WriteObject(result.Ruleset);
    }

    private System.Collections.Generic.IEnumerable<string> ResolveFiles(string input, bool literal)
    {
        System.Collections.Generic.IReadOnlyList<string>? files = PathResolver.ReportingBadInput(this, input, () => PathResolver.Resolve(this, input, literal));
        if (files is null) return [];
        if (files.Count == 0)
        {
            WriteError(ErrorHelper.Create("PolicyFileNotFound", ErrorCategory.ObjectNotFound,
                $"No policy file matches '{input}'. Check the path.", input));
        }
        return files;
    }

    // Relative rule paths resolve against -BasePath, or the PowerShell location, as landlockconfig's
    // own sandboxer resolves them against its working directory.
    private string ResolveBasePath() =>
        BasePath is null
            ? PathResolver.CurrentDirectory(this)
            : PathResolver.RequireDirectory(this, BasePath, "BasePathNotFound",
                $"The base path '{BasePath}' is not an existing directory. Name the folder relative rule paths should start from.");
}
