using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using LandlockPS.Core;
using LandlockPS.Core.Dependencies;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Commands;

/// <summary>Allows access to files and directories (and everything beneath a directory) in a ruleset.</summary>
[Cmdlet(VerbsCommon.Add, "LandlockPathRule", DefaultParameterSetName = PathSet)]
[OutputType(typeof(LandlockRuleset))]
public sealed class AddLandlockPathRuleCommand : RulesetPathCmdlet
{
    private const string ExecutableSet = "Executable";

    [Parameter(Mandatory = true, ParameterSetName = ExecutableSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ExecutableCompleter))]
    public string[] Executable { get; set; } = null!;

    [Parameter]
    public SwitchParameter IgnoreMissing { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    // A ruleset named on the command line is emitted once, after every piped path was added to it:
    // emitted per path, a confined run downstream would start once per path, with only the rules so far.
    private bool _rulesetNamed;

    protected override void BeginProcessing() => _rulesetNamed = MyInvocation.BoundParameters.ContainsKey(nameof(Ruleset));

    protected override void EndProcessing()
    {
        if (PassThru && _rulesetNamed) WriteObject(Ruleset);
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ExecutableSet)
        {
            // Every program resolved before any rule is added: a failure (stopping the call under
            // -ErrorAction Stop) leaves the ruleset as it was.
            var resolved = new List<ProgramDependencies>();
            foreach (string name in Executable)
            {
                if (ResolveDependencies(name) is { } dependencies) resolved.Add(dependencies);
            }
            foreach (ProgramDependencies dependencies in resolved) DependencyRules.Add(this, Ruleset, dependencies, keptByPath: true);
            EmitPiped();
            return;
        }
        LandlockAccessFs access = ResolveAccess(() => Ruleset.ResolveAccessFs(Access));
        if (access == LandlockAccessFs.None)
        {
            // As Add-LandlockNetRule answers it: one error for the call, whatever the paths are.
            ThrowTerminatingError(ErrorHelper.Create("AccessNotApplicable", "-Access None grants no right; name at least one (ReadOnly, ReadWrite, ...).", Access));
        }
        (string[] inputs, bool literal) = PathInputs;
        foreach (string input in inputs)
        {
            AddRulesFor(input, literal, access);
        }
        EmitPiped();
    }

    private void EmitPiped()
    {
        if (PassThru && !_rulesetNamed) WriteObject(Ruleset);
    }

    private void AddRulesFor(string input, bool literal, LandlockAccessFs access)
    {
        IReadOnlyList<string>? paths = ResolvePaths(input, literal);
        if (paths is null) return;
        if (paths.Count == 0)
        {
            ReportMissing(input, pattern: !literal && WildcardPattern.ContainsWildcardCharacters(input));
            return;
        }
        foreach (string path in paths)
        {
            AddRule(path, access);
        }
    }

    private void AddRule(string path, LandlockAccessFs access)
    {
        switch (RuleTarget.Probe(path, out string? problem))
        {
            case RuleTargetKind.Missing:
                ReportMissing(path);
                return;
            case RuleTargetKind.Inaccessible:
                WriteError(ErrorHelper.Create("PathNotAccessible",
                    $"No rule can name '{path}': {problem}.", path));
                return;
            case RuleTargetKind.File:
                access = MaskForFile(path, access);
                if (access == LandlockAccessFs.None) return;
                break;
        }
        NoteLink(path);
        LandlockPathRule rule = Ruleset.AddPathRule(path, access);
        WriteVerbose($"Allowing {AccessText.Format(access, Ruleset.HandledAccessFs)} on {path} (the rule now grants {AccessText.Format(rule.Access, Ruleset.HandledAccessFs)}).");
    }

    // The same rules as Invoke-Sandboxed -AllowDependencies, in this session's environment (its
    // LD_LIBRARY_PATH and PATH): the policy is being built here, for wherever it will run.
    private ProgramDependencies? ResolveDependencies(string name)
    {
        string? program = ExecutableResolver.Resolve(this, name);
        if (program is null || !File.Exists(program))
        {
            if (IgnoreMissing)
            {
                WriteVerbose($"Skipping '{name}': no such program (-IgnoreMissing).");
                return null;
            }
            WriteError(ErrorHelper.Create("ExecutableNotFound",
                $"'{name}' is not a program on PATH or an existing file. Check the name, or give its full path.", name));
            return null;
        }
        try
        {
            return DependencyRules.Resolve(this, program, ChildEnvironment.Build(null, clear: false), Ruleset);
        }
        catch (LandlockException e)
        {
            WriteError(ErrorHelper.FromException(e, name));
            return null;
        }
    }

    private LandlockAccessFs MaskForFile(string path, LandlockAccessFs access)
    {
        LandlockAccessFs masked = access & AccessGroups.FileApplicable;
        if (masked == LandlockAccessFs.None)
        {
            WriteError(ErrorHelper.Create("AccessNotApplicable",
                $"'{path}' is a file, and {AccessText.Format(access)} apply only to directories. " +
                "Name the parent directory instead, or give rights that apply to files (Execute, WriteFile, ReadFile, Truncate, IoctlDev, ResolveUnix).", path));
        }
        else if (masked != access)
        {
            WriteVerbose($"'{path}' is a file: leaving out {AccessText.Format(access & ~masked)}, which apply only to directories.");
        }
        return masked;
    }

    private void NoteLink(string path)
    {
        string? target = new FileInfo(path).LinkTarget;
        if (target is not null)
        {
            WriteVerbose($"'{path}' is a symbolic link to '{target}': Landlock attaches the rule to what it points to now.");
        }
    }

    // A pattern that matched nothing is often a name that holds brackets, read as wildcards.
    private void ReportMissing(string path, bool pattern = false)
    {
        if (IgnoreMissing)
        {
            WriteVerbose($"Skipping '{path}': it does not exist (-IgnoreMissing).");
            return;
        }
        string fix = pattern
            ? "Nothing matches it: *, ? and [...] are wildcards in -Path. For a name that holds them, use -LiteralPath; or fix the path, or use -IgnoreMissing to skip missing paths."
            : "Create it first, fix the path, or use -IgnoreMissing to skip missing paths.";
        WriteError(ErrorHelper.Create("PathNotFound", $"Cannot add a rule for '{path}' because it does not exist. {fix}", path));
    }
}
