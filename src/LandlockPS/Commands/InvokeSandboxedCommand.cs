using System.Collections.Generic;
using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Text;
using LandlockPS.Core;
using LandlockPS.Core.Dependencies;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;
using LandlockPS.Remoting;

namespace LandlockPS.Commands;

/// <summary>
/// Runs a program, or a script block in a child pwsh, confined by a Landlock ruleset, streaming
/// its output to the pipeline. The caller's own session is never confined.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Sandboxed", SupportsShouldProcess = true, DefaultParameterSetName = FilePathSet)]
[OutputType(typeof(string), typeof(byte[]), typeof(SandboxResult), ParameterSetName = [FilePathSet])]
[OutputType(typeof(PSObject), typeof(SandboxResult), ParameterSetName = [ScriptBlockSet])]
public sealed class InvokeSandboxedCommand : SandboxLaunchCmdlet
{
    private const string FilePathSet = "FilePath";
    private const string ScriptBlockSet = "ScriptBlock";

    private SandboxStartInfo? _template;
    private ProgramDependencies? _dependencies;
    // A script block's child environment, built once for every ruleset of the call.
    private Dictionary<string, string>? _environment;
    private IReadOnlyList<LandlockPathRule> _dependencyRules = [];
    private NativeRunOptions? _options;
    private string _workingDirectory = "/";
    private ISandboxRun? _run;
    private volatile ISandboxRun? _current;
    private bool _rulesetFromPipeline;
    private bool _feedsInput;
    private bool _inputNamed;

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [RulesetTransformation]
    [ValidateNotNull]
    public LandlockRuleset Ruleset { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FilePathSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ExecutableCompleter))]
    public string FilePath { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ScriptBlockSet)]
    [ValidateNotNull]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    [Parameter(Position = 1)]
    [AllowEmptyCollection]
    [AllowNull]
    [Alias("Args")]
    public object?[] ArgumentList { get; set; } = [];

    [Parameter(ValueFromPipeline = true)]
    public object? InputObject { get; set; }

    [Parameter]
    public int TimeoutSec { get; set; }

    [Parameter(ParameterSetName = FilePathSet)]
    public SwitchParameter AsByteStream { get; set; }

    [Parameter(ParameterSetName = FilePathSet)]
    public StandardErrorMode StandardError { get; set; } = StandardErrorMode.Host;

    [Parameter(ParameterSetName = ScriptBlockSet)]
    public SwitchParameter NoImplicitRules { get; set; }

    /// <summary>The largest object the child may send back, in bytes (0: no limit); default: $PSSessionOption's, else 200 MB.</summary>
    [Parameter(ParameterSetName = ScriptBlockSet)]
    [ValidateRange(0, int.MaxValue)]
    public int? MaximumReceivedObjectSize { get; set; }

    /// <summary>The most one command may send back, in bytes (0: no limit); default: $PSSessionOption's, else no limit.</summary>
    [Parameter(ParameterSetName = ScriptBlockSet)]
    [ValidateRange(0, int.MaxValue)]
    public int? MaximumReceivedDataSizePerCommand { get; set; }

    [Parameter(ParameterSetName = ScriptBlockSet)]
    public SandboxHostAccess HostAccess { get; set; }

    /// <summary>Longer lines of a program's output are cut into pieces of this many characters (with a warning).</summary>
    [Parameter(ParameterSetName = FilePathSet)]
    [ValidateRange(1, int.MaxValue)]
    public int MaximumLineLength { get; set; } = NativeRun.DefaultMaximumLineLength;

    // A script block's pwsh gets what it needs from the implicit rules already.
    [Parameter(ParameterSetName = FilePathSet)]
    public SwitchParameter AllowDependencies { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private bool IsScriptBlock => ParameterSetName == ScriptBlockSet;

    protected override void BeginProcessing()
    {
        if (TimeoutSec < 0)
        {
            ThrowTerminatingError(ErrorHelper.Create("InvalidTimeout", ErrorCategory.InvalidArgument,
                $"-TimeoutSec must be 0 (no timeout) or a positive number of seconds; got {TimeoutSec}.", TimeoutSec));
        }
        _workingDirectory = ResolveWorkingDirectory();
        if (IsScriptBlock)
        {
            _environment = BuildEnvironment();
        }
        else
        {
            _template = BuildStartInfo();
            _options = new NativeRunOptions(AsByteStream, StandardError, TimeoutSec, PassThru, ConsoleEncoding(), InputEncoding, MaximumLineLength);
            // Resolved once, in the child's environment (its LD_LIBRARY_PATH and PATH), for every ruleset of the call.
            if (AllowDependencies) _dependencies = ResolveDependencies(_template);
        }

        // The rule: a ruleset named with -Ruleset leaves the pipeline to the run's input; otherwise
        // rulesets come from the pipeline, one run each, and -InputObject is every run's input.
        _inputNamed = MyInvocation.BoundParameters.ContainsKey(nameof(InputObject));
        _rulesetFromPipeline = !MyInvocation.BoundParameters.ContainsKey(nameof(Ruleset));
        if (!_rulesetFromPipeline)
        {
            _feedsInput = MyInvocation.ExpectingInput || _inputNamed;
            _run = Start(Ruleset, _feedsInput);
        }
    }

    protected override void ProcessRecord()
    {
        if (!_rulesetFromPipeline)
        {
            if (_feedsInput) _run?.Feed(InputObject);
            return;
        }
        using ISandboxRun? run = Start(Ruleset, _inputNamed);
        if (run is null) return;
        _current = run;
        try
        {
            if (_inputNamed && !IsScriptBlock) run.Feed(InputObject);
            run.Finish();
        }
        finally
        {
            _current = null;
        }
    }

    protected override void EndProcessing()
    {
        _run?.Finish();
    }

    protected override void OnStopping() => (_run ?? _current)?.Kill();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _run?.Dispose();
            _run = null;
        }
        base.Dispose(disposing);
    }

    // Without what the program needs the run would only fail to start: the call ends here.
    private ProgramDependencies ResolveDependencies(SandboxStartInfo template)
    {
        try
        {
            return DependencyRules.Resolve(this, template.FilePath, template.Environment!);
        }
        catch (LandlockException e)
        {
            ThrowTerminatingError(ErrorHelper.FromException(e, FilePath));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    private ISandboxRun? Start(LandlockRuleset ruleset, bool redirectInput)
    {
        string target = IsScriptBlock ? $"script block {{{Abbreviate(ScriptBlock.ToString())}}}" : CommandLine(_template!);
        if (_dependencies is not null)
        {
            // Before ShouldProcess, so -WhatIf shows the rules the program would really run under.
            ruleset = ruleset.Clone(); // the caller's ruleset stays as it was
            _dependencyRules = DependencyRules.Add(this, ruleset, _dependencies);
        }
        if (!ShouldProcess(target, WillShowOperation() ? $"Run confined by {RulesetText.Describe(ruleset)}" : "Run confined")) return null;
        try
        {
            return IsScriptBlock ? StartScriptBlock(ruleset) : StartProgram(ruleset, redirectInput);
        }
        catch (LandlockException e)
        {
            WriteError(ErrorHelper.FromException(e, IsScriptBlock ? ScriptBlock : FilePath));
            return null;
        }
    }

    private NativeRun StartProgram(LandlockRuleset ruleset, bool redirectInput)
    {
        SandboxStartInfo info = new(_template!.FilePath)
        {
            ArgumentZero = _template.ArgumentZero,
            Arguments = _template.Arguments,
            WorkingDirectory = _template.WorkingDirectory,
            Environment = _template.Environment,
            KeepCapabilities = _template.KeepCapabilities,
            AllowUnconfined = _template.AllowUnconfined,
            RedirectStandardInput = redirectInput,
        };
        SandboxedProcess process = SandboxedProcess.Start(info, ruleset);
        try
        {
            // A warning can throw here (-WarningAction Stop): the child must not outlive that.
            ReportEnforcement(process, ruleset, info);
        }
        catch
        {
            process.Dispose();
            throw;
        }
        return new NativeRun(this, process, info, _options!, StopToken) { AddedRules = _dependencyRules };
    }

    private ScriptBlockRun StartScriptBlock(LandlockRuleset ruleset)
    {
        PwshLaunch launch = SandboxRunspace.LaunchFor(this, ruleset, !NoImplicitRules, _environment!,
            _workingDirectory, KeepCapabilities, AllowUnconfined, shortLived: true) with
        {
            Limits = ReceiveLimits.From(this, MaximumReceivedObjectSize, MaximumReceivedDataSizePerCommand),
            HostAccess = HostAccess,
        };
        // The block's input: the pipeline (when -Ruleset is named), or -InputObject, or nothing.
        bool namedInputOnly = _inputNamed && !(_feedsInput && MyInvocation.ExpectingInput);
        ScriptBlockRun run = ScriptBlockRun.Start(this, launch, ScriptBlock, ArgumentList ?? [], _feedsInput || namedInputOnly, PassThru, TimeoutSec, StopToken);
        try
        {
            if (namedInputOnly && _rulesetFromPipeline) run.Feed(InputObject);
            if (run.State.Process is { } process && run.State.StartInfo is { } info)
            {
                ReportEnforcement(process, ruleset, info);
                if (WantsVerbose())
                {
                    foreach (LandlockPathRule rule in run.State.ImplicitRules) WriteVerbose($"  implicit: allow {AccessText.Format(rule.Access)} on {rule.Path}");
                }
            }
        }
        catch
        {
            run.Dispose();
            throw;
        }
        return run;
    }

    private SandboxStartInfo BuildStartInfo()
    {
        string? program = ExecutableResolver.Resolve(this, FilePath);
        if (program is null)
        {
            ThrowTerminatingError(ErrorHelper.Create("ExecutableNotFound", ErrorCategory.ObjectNotFound,
                $"'{FilePath}' is not a program on PATH or a file-system path. Check the name, or give its full path.", FilePath));
        }
        return new SandboxStartInfo(program!)
        {
            ArgumentZero = FilePath,
            Arguments = (ArgumentList ?? []).Select(a => LanguagePrimitives.ConvertTo<string>(a) ?? string.Empty).ToArray(),
            WorkingDirectory = _workingDirectory,
            Environment = BuildEnvironment(),
            KeepCapabilities = KeepCapabilities,
            AllowUnconfined = AllowUnconfined,
        };
    }

    private void ReportEnforcement(SandboxedProcess process, LandlockRuleset ruleset, SandboxStartInfo info)
    {
        LandlockEnforcementReport report = process.Enforcement;
        if (WantsVerbose())
        {
            WriteVerbose($"Started {CommandLine(info)} (pid {process.ProcessId}) in {info.WorkingDirectory}: {report.Status}.");
            WriteVerbose(RulesetText.Containment(process));
            foreach (string line in RulesetText.Effective(ruleset, report)) WriteVerbose(line);
        }
        if (report.Status == EnforcementStatus.PartiallyEnforced)
        {
            WriteWarning($"Partially enforced: {report.Describe()}");
        }
        else if (report.Status == EnforcementStatus.NotEnforced)
        {
            WriteWarning($"Running UNCONFINED (-AllowUnconfined): {report.Describe()}");
        }
    }

    // -WhatIf, -Confirm and -Verbose show the operation with its rules; otherwise nobody reads it.
    private bool WillShowOperation() =>
        WantsVerbose() || IsBound("WhatIf") || IsBound("Confirm")
        || GetVariableValue("WhatIfPreference") is SwitchParameter { IsPresent: true } or true
        || GetVariableValue("ConfirmPreference") is ConfirmImpact impact && impact != ConfirmImpact.None && impact <= ConfirmImpact.Medium;

    private bool IsBound(string parameter) =>
        MyInvocation.BoundParameters.TryGetValue(parameter, out object? value) && LanguagePrimitives.IsTrue(value);

    // The effective ruleset takes some formatting: only when someone will read it.
    private bool WantsVerbose() =>
        MyInvocation.BoundParameters.TryGetValue("Verbose", out object? bound)
            ? LanguagePrimitives.IsTrue(bound)
            : GetVariableValue("VerbosePreference") is ActionPreference preference
              && preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

    private static string Abbreviate(string text)
    {
        string flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 60 ? $" {flat} " : $" {flat[..57]}... ";
    }

    private static string CommandLine(SandboxStartInfo info) =>
        string.Join(' ', new[] { info.FilePath }.Concat(info.Arguments.Select(Quote)));

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./=:,@%+".Contains(c)) ? argument : $"'{argument.Replace("'", "''")}'";

    private static Encoding ConsoleEncoding()
    {
        try
        {
            return Console.OutputEncoding;
        }
        catch (System.IO.IOException)
        {
            return new UTF8Encoding(false);
        }
    }

    // Looked up when input is fed: the session's $OutputEncoding, as pwsh uses for native commands.
    private Encoding InputEncoding() =>
        SessionState.PSVariable.GetValue("OutputEncoding") as Encoding ?? new UTF8Encoding(false);
}
