using System.Collections.Generic;
using System.Management.Automation;
using System.Text;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Policy;

namespace LandlockPS.Commands;

/// <summary>
/// Reads landlockconfig policies (JSON or TOML) into rulesets. What one -Path or -LiteralPath names
/// together (several files, a wildcard, a directory, "-" for the text piped in) composes into one
/// ruleset, as landlockconfig composes them; paths piped in one by one give one ruleset each, as
/// they always did; -Compose makes one ruleset of everything the call reads.
/// </summary>
[Cmdlet(VerbsData.Import, "LandlockRuleset", DefaultParameterSetName = PathSet)]
[OutputType(typeof(LandlockRuleset))]
public sealed class ImportLandlockRulesetCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string StandardInputSet = "StandardInput";
    private const string StandardInput = "-";

    // In the StandardInput set -Path comes from the command line only, so piped text binds to -InputObject.
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = StandardInputSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = StandardInputSet, ValueFromPipeline = true)]
    [AllowEmptyString]
    public string InputObject { get; set; } = null!;

    [Parameter]
    public SwitchParameter Compose { get; set; }

    [Parameter]
    public PolicyFormat? Format { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BasePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    private string _baseDirectory = null!;
    private readonly StringBuilder _pipedText = new();
    private bool _anyPipedText;
    // The policies of the input being read: named together, they make one ruleset.
    private readonly List<(LandlockPolicy Policy, string Name)> _parts = [];
    private bool _partFailed;

    private bool _pathNamed;

    protected override void BeginProcessing()
    {
        _baseDirectory = ResolveBasePath();
        _pathNamed = MyInvocation.BoundParameters.ContainsKey(nameof(Path));
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case StandardInputSet:
                CollectPipedText();
                break;
            case LiteralPathSet:
                foreach (string input in LiteralPath) Take(input, literal: true);
                if (!Compose) EmitTogether();
                break;
            default:
                if (!_pathNamed) RefusePipedText();
                foreach (string input in Path) Take(input, literal: false);
                if (!Compose) EmitTogether();
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == StandardInputSet)
        {
            RequireOneStandardInput();
            foreach (string input in Path) Take(input, literal: false);
        }
        EmitTogether();
    }

    /// <summary>One ruleset of the policies read together; none if any of them failed (its error says why).</summary>
    private void EmitTogether()
    {
        if (!_partFailed && _parts.Count == 1) Emit(_parts[0].Policy, _parts[0].Name);
        else if (!_partFailed && _parts.Count > 1) Emit(LandlockPolicy.Compose(_parts.ConvertAll(p => p.Policy)), string.Join("+", _parts.ConvertAll(p => p.Name)));
        _parts.Clear();
        _partFailed = false;
    }

    // Lines from Get-Content arrive one by one; -Raw text arrives whole. Past the size limit the text
    // is not kept growing: the import refuses it as too large.
    private void CollectPipedText()
    {
        if (_anyPipedText) _pipedText.Append('\n');
        _anyPipedText = true;
        if (_pipedText.Length <= PolicyImport.MaxPolicyBytes) _pipedText.Append(InputObject);
    }

    private void RequireOneStandardInput()
    {
        int count = System.Array.FindAll(Path, p => p == StandardInput).Length;
        if (count == 1) return;
        ThrowTerminatingError(ErrorHelper.Create("PolicyInputUnused", count == 0
            ? "Text was piped in, but no '-' in -Path says to read it. Add '-' to -Path to read the piped text as a policy, or pipe paths without naming -Path."
            : "'-' appears more than once in -Path; the piped text is one policy. Name it once.", Path));
    }

    // With no -Path named, piped strings are paths, and policy text piped without "-" was looked up as
    // one, line by line: a drive named '{ "abi"', a wildcard pattern that is not valid. What reads as
    // policy text and names nothing here is that mistake.
    private void RefusePipedText()
    {
        foreach (string input in Path)
        {
            if (!LooksLikePolicyText(input) || NamesSomething(input)) continue;
            string firstLine = input.TrimStart().Split('\n')[0];
            string shown = firstLine.Length > 30 ? firstLine[..30] + "..." : firstLine;
            ThrowTerminatingError(ErrorHelper.Create("PolicyInputUnused",
                $"Policy text was piped in ('{Core.ControlCharacters.Printable(shown)}' is no path). To read it, name '-' as the path: " +
                "Get-Content ./policy.toml -Raw | Import-LandlockRuleset -", input));
        }
    }

    private static bool LooksLikePolicyText(string input)
    {
        string text = input.TrimStart();
        // "[[" opens a TOML table array; a lone "[" may start a wildcard pattern.
        return input.Contains('\n') || text.StartsWith('{') || text.StartsWith("[[", System.StringComparison.Ordinal) || text.StartsWith('#') || text.Contains('=');
    }

    private bool NamesSomething(string input)
    {
        try
        {
            string path = GetUnresolvedProviderPathFromPSPath(input);
            return System.IO.File.Exists(path) || System.IO.Directory.Exists(path);
        }
        catch (System.Exception e) when (e is SessionStateException or PSNotSupportedException or System.ArgumentException or System.NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Reads one -Path or -LiteralPath input: each file or directory it names, or the piped text for "-".</summary>
    private void Take(string input, bool literal)
    {
        if (!literal && input == StandardInput)
        {
            TakeStandardInput();
            return;
        }
        foreach (string file in ResolveFiles(input, literal))
        {
            if (System.IO.Directory.Exists(file))
            {
                LandlockPolicy? policy = PolicyImport.ReadDirectory(file, Format, out IReadOnlyList<PolicyException> errors);
                foreach (PolicyException error in errors) WriteError(ErrorHelper.FromException(error, error.File));
                Use(policy, System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(file)));
            }
            else
            {
                Use(Read(() => PolicyImport.ReadFile(file, Format)), System.IO.Path.GetFileNameWithoutExtension(file));
            }
        }
    }

    private void TakeStandardInput()
    {
        if (!_anyPipedText)
        {
            WriteError(ErrorHelper.Create("PolicyNoInput",
                "'-' stands for the policy text piped into Import-LandlockRuleset, and nothing was piped in. " +
                "Pipe it in (Get-Content ./policy.toml -Raw | Import-LandlockRuleset -), or from a shell: ... | pwsh -c '$input | Import-LandlockRuleset -'.",
                StandardInput));
            _partFailed = true;
            return;
        }
        byte[] bytes = Encoding.UTF8.GetBytes(_pipedText.ToString());
        Use(Read(() => PolicyImport.Read(bytes, PolicyImport.StandardInputName, Format)), "stdin");
    }

    private LandlockPolicy? Read(System.Func<LandlockPolicy> read)
    {
        try
        {
            return read();
        }
        catch (PolicyException e)
        {
            WriteError(ErrorHelper.FromException(e, e.File));
            return null;
        }
    }

    /// <summary>Keeps a policy for the ruleset of what was read with it; a failed one spoils that ruleset.</summary>
    private void Use(LandlockPolicy? policy, string name)
    {
        if (policy is null) _partFailed = true;
        else _parts.Add((policy, name));
    }

    private void Emit(LandlockPolicy policy, string name)
    {
        PolicyImportResult result;
        try
        {
            result = PolicyImport.ToRuleset(policy, _baseDirectory, Name ?? name);
        }
        catch (PolicyException e)
        {
            WriteError(ErrorHelper.FromException(e, e.File));
            return;
        }
        foreach (PolicyNote detail in result.Details) WriteVerbose(detail.ToString());
        foreach (PolicyNote warning in result.Warnings) WriteWarning(warning.ToString());
        WriteObject(result.Ruleset);
    }

    private IEnumerable<string> ResolveFiles(string input, bool literal)
    {
        IReadOnlyList<string>? files = PathResolver.ReportingBadInput(this, input, () => PathResolver.Resolve(this, input, literal));
        if (files is null)
        {
            _partFailed = true;
            return [];
        }
        if (files.Count == 0)
        {
            WriteError(ErrorHelper.Create("PolicyFileNotFound",
                $"No policy file matches '{input}'. Check the path.", input));
            _partFailed = true;
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
