using System.Collections.Generic;
using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;
using LandlockPS.Core;
using LandlockPS.Core.Dependencies;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;
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
public sealed class InvokeSandboxedCommand : ProgramOrScriptCmdlet
{
    private SandboxStartInfo? _template;
    // A .ps1 given as the program: it runs in a child pwsh, as a script block does.
    private ScriptFile? _scriptFile;
    // A script block's child environment, built once for every ruleset of the call.
    private Dictionary<string, string>? _environment;
    private ProgramDependencies? _dependencies;
    private IReadOnlyList<LandlockPathRule> _dependencyRules = [];
    private NativeRunOptions? _options;
    private string _workingDirectory = "/";
    private SandboxRouting _routing;
    private RunStart? _startRun;
    private ISandboxRun? _run;
    private volatile ISandboxRun? _current;

    // Starts one run for a ruleset; `shown` is that ruleset as the caller is told of it.
    private delegate ISandboxRun RunStart(LandlockRuleset ruleset, LandlockRuleset shown);

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [RulesetTransformation]
    [ValidateNotNull]
    public LandlockRuleset Ruleset { get; set; } = null!;

    [Parameter(ValueFromPipeline = true)]
    public object? InputObject { get; set; }

    [Parameter]
    public int TimeoutSec { get; set; }

    [Parameter]
    public int KillAfterSec { get; set; } = 5;

    [Parameter(ParameterSetName = FilePathSet)]
    public SwitchParameter Terminal { get; set; }

    [Parameter(ParameterSetName = FilePathSet)]
    public SwitchParameter AsByteStream { get; set; }

    [Parameter(ParameterSetName = FilePathSet)]
    public StandardErrorMode StandardError { get; set; } = StandardErrorMode.Host;

    // For script blocks and .ps1 scripts, which run in a child pwsh.
    [Parameter]
    public SwitchParameter NoImplicitRules { get; set; }

    // These three are for script blocks and .ps1 scripts, yet in every set: a program's option such as
    // grep's -h would otherwise select the script-block set and prompt for a block.

    /// <summary>The largest object the child may send back, in bytes (0: no limit); default: $PSSessionOption's, else 200 MB.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? MaximumReceivedObjectSize { get; set; }

    /// <summary>The most one command may send back, in bytes (0: no limit); default: $PSSessionOption's, else no limit.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? MaximumReceivedDataSizePerCommand { get; set; }

    [Parameter]
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

    /// <summary>Trace the run; at its end, warn once about each access the ruleset denied, with the rule that would allow it.</summary>
    [Parameter]
    public SwitchParameter ExplainDenials { get; set; }

    // A script block, or a .ps1 script: PowerShell in a confined child pwsh.
    private bool RunsInPwsh => IsScriptBlock || _scriptFile is not null;

    protected override void BeginProcessing()
    {
        RefuseInvalidTimes();
        CommandAst? typed = IsScriptBlock ? null : ProgramArguments.Parse(MyInvocation);
        if (typed is not null) RefuseShortenedParameterAfterProgram(typed);
        _workingDirectory = ResolveWorkingDirectory();
        _scriptFile = IsScriptBlock ? null : ScriptFile.Find(this, FilePath);
        RefuseInapplicableParameters();
        _startRun = PrepareRuns(typed);
        _routing = SandboxRouting.Decide(MyInvocation.BoundParameters.ContainsKey(nameof(Ruleset)),
            MyInvocation.BoundParameters.ContainsKey(nameof(InputObject)), MyInvocation.ExpectingInput);
        if (Terminal) RefuseRedirectedTerminal();
        if (!_routing.RunPerRecord) _run = Start(Ruleset);
    }

    // The one place that chooses between a program and a child pwsh: what every run of the call
    // shares is prepared here, once, and the start of one run is returned.
    private RunStart PrepareRuns(CommandAst? typed)
    {
        if (RunsInPwsh)
        {
            _environment = BuildEnvironment();
            return StartScriptBlock;
        }
        _template = BuildProgramStartInfo(FilePath, ArgumentList ?? [], typed, _workingDirectory);
        _options = new NativeRunOptions(AsByteStream, StandardError, TimeoutSec, KillAfterSec, PassThru, ConsoleEncoding(), InputEncoding, MaximumLineLength);
        return StartProgram;
    }

    // A program has no implicit rules to leave out; a script returns objects, through no terminal.
    private void RefuseInapplicableParameters()
    {
        string[] inapplicable = RunsInPwsh
            ? [nameof(Terminal), nameof(AsByteStream), nameof(StandardError), nameof(AllowDependencies), nameof(MaximumLineLength)]
            : [nameof(NoImplicitRules), nameof(MaximumReceivedObjectSize), nameof(MaximumReceivedDataSizePerCommand), nameof(HostAccess)];
        if (inapplicable.FirstOrDefault(MyInvocation.BoundParameters.ContainsKey) is not { } parameter) return;
        ThrowTerminatingError(_scriptFile is not null
            ? ErrorHelper.Create("InvalidScriptUse",
                $"-{parameter} applies to programs. {_scriptFile.Path} is a PowerShell script: it runs in a confined child pwsh, " +
                "which sends back its objects and streams as a script block's.", FilePath)
            : ErrorHelper.Create("InvalidProgramUse",
                $"-{parameter} applies to script blocks and .ps1 scripts, which run in a child pwsh, not to a program.", FilePath));
    }

    private void RefuseInvalidTimes()
    {
        foreach ((string name, int seconds, string zero) in new[] { ("TimeoutSec", TimeoutSec, "no timeout"), ("KillAfterSec", KillAfterSec, "kill at once") })
        {
            if (seconds is >= 0 and <= MaximumSeconds) continue;
            ThrowTerminatingError(ErrorHelper.Create("InvalidTimeout",
                $"-{name} must be 0 ({zero}) or a positive number of seconds, at most {MaximumSeconds} (about 24 days); got {seconds}.", seconds));
        }
    }

    // With -Terminal, the program reads your keys and writes to your screen: there is no pipeline
    // input to feed it, and no output to turn into objects.
    private void RefuseRedirectedTerminal()
    {
        string? conflict = MyInvocation.BoundParameters.ContainsKey(nameof(AsByteStream)) ? "-AsByteStream"
            : MyInvocation.BoundParameters.ContainsKey(nameof(StandardError)) ? "-StandardError"
            : _routing.FeedsInput ? "input from the pipeline or -InputObject"
            : null;
        if (conflict is null) return;
        ThrowTerminatingError(ErrorHelper.Create("InvalidTerminalUse",
            $"-Terminal gives the program your terminal: it reads your keys and writes to your screen, so {conflict} cannot apply. " +
            "Leave out -Terminal to capture the program's output or feed it input.", FilePath));
    }

    protected override void ProcessRecord()
    {
        if (!_routing.RunPerRecord)
        {
            if (_routing.FeedsInput) _run?.Feed(InputObject);
            return;
        }
        using ISandboxRun? run = Start(Ruleset);
        if (run is null) return;
        _current = run;
        try
        {
            if (_routing.FeedsInput) run.Feed(InputObject);
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

    protected override void OnStopping() => (_run ?? _current)?.Stop();

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
    // Resolved in the child's environment (its LD_LIBRARY_PATH and PATH), for each ruleset: what
    // that one lets a sandbox write is not trusted to name a dependency.
    private ProgramDependencies ResolveDependencies(SandboxStartInfo template, LandlockRuleset ruleset)
    {
        try
        {
            return DependencyRules.Resolve(this, template.FilePath, template.Environment!, ruleset);
        }
        catch (LandlockException e)
        {
            ThrowTerminatingError(ErrorHelper.FromException(e, FilePath));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    private ISandboxRun? Start(LandlockRuleset ruleset)
    {
        string target = IsScriptBlock ? $"script block {{{Abbreviate(ScriptBlock.ToString())}}}"
            : _scriptFile is { } script ? $"script {script.Path}" : CommandLine(_template!);
        LandlockRuleset shown = ruleset;
        if (AllowDependencies) // a program's only: refused with a child pwsh (RefuseInapplicableParameters)
        {
            // Before ShouldProcess, so -WhatIf shows the rules the program would really run under.
            _dependencies = ResolveDependencies(_template!, ruleset);
            shown = ruleset.Clone(); // the caller's ruleset stays as it was
            _dependencyRules = DependencyRules.Add(this, shown, _dependencies);
        }
        if (!ShouldProcess(target, WillShowOperation() ? $"Run confined by {RulesetText.Describe(shown)}" : "Run confined")) return null;
        try
        {
            return _startRun!(ruleset, shown);
        }
        catch (LandlockException e)
        {
            WriteError(ErrorHelper.FromException(e, IsScriptBlock ? ScriptBlock : FilePath));
            return null;
        }
    }

    // The dependency rules are built on the files themselves, held open (see DependencyRules.Hold);
    // `shown` is the ruleset with them as paths, for what the caller is told.
    private NativeRun StartProgram(LandlockRuleset ruleset, LandlockRuleset shown)
    {
        // A private terminal of the caller's window size, for this one run; the run owns it.
        PseudoTerminal? terminal = null;
        SandboxedProcess? process = null;
        AccessObserver? observer = null;
        IReadOnlyList<HeldPathRule> dependencies = DependencyRules.Hold(_dependencyRules);
        try
        {
            if (Terminal)
            {
                (ushort rows, ushort columns) = TerminalRelay.CallerSize();
                terminal = PseudoTerminal.Open(rows, columns);
            }
            SandboxStartInfo info = _template! with
            {
                RedirectStandardInput = _routing.FeedsInput,
                Terminal = terminal,
                Observer = ExplainDenials ? new AccessObserver() : null,
                HeldPathRules = dependencies,
                Dependencies = _dependencies,
            };
            observer = info.Observer;
            process = SandboxedProcess.Start(info, ruleset);
            // A warning can throw here (-WarningAction Stop): the child must not outlive that. And
            // it is written before the terminal goes raw, where a line would lose its carriage return.
            ReportEnforcement(process, shown, info);
            return new NativeRun(this, process, info, _options!, StopToken)
            {
                AddedRules = [.. _dependencyRules, .. process.TerminalRules],
                ExplainAgainst = ExplainDenials ? shown : null,
            };
        }
        catch
        {
            process?.Dispose();
            observer?.Dispose();
            terminal?.Dispose();
            throw;
        }
        finally
        {
            // Compiled into the child's ruleset when it started: no longer needed.
            foreach (HeldPathRule rule in dependencies) rule.Handle.Dispose();
        }
    }

    // `shown` is the ruleset itself: what a child pwsh needs comes from its implicit rules, added at launch.
    private ScriptBlockRun StartScriptBlock(LandlockRuleset ruleset, LandlockRuleset shown)
    {
        PwshLaunch launch = SandboxRunspace.LaunchFor(this, ruleset, !NoImplicitRules, _environment!,
            _workingDirectory, KeepCapabilities, AllowUnconfined, shortLived: true) with
        {
            ScriptFolder = _scriptFile?.Folder,
            Limits = ReceiveLimits.From(this, MaximumReceivedObjectSize, MaximumReceivedDataSizePerCommand),
            HostAccess = HostAccess,
            Observer = ExplainDenials ? new AccessObserver() : null,
        };
        ScriptBlock block = _scriptFile?.Invocation(_routing.FeedsInput) ?? ScriptBlock;
        ScriptBlockRun run;
        try
        {
            run = ScriptBlockRun.Start(this, launch, block, ArgumentList ?? [], _routing.FeedsInput, PassThru, TimeoutSec, KillAfterSec, StopToken,
                explainAgainst: ExplainDenials ? shown : null);
        }
        catch
        {
            launch.Observer?.Dispose();
            throw;
        }
        try
        {
            if (run.State.Process is { } process && run.State.StartInfo is { } info)
            {
                ReportEnforcement(process, shown, info);
                if (WantsVerbose())
                {
                    foreach (string line in run.State.ImplicitRulesText()) WriteVerbose(line);
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

    private void ReportEnforcement(SandboxedProcess process, LandlockRuleset ruleset, SandboxStartInfo info)
    {
        LandlockEnforcementReport report = process.Enforcement;
        if (WantsVerbose())
        {
            WriteVerbose($"Started {CommandLine(info)} (pid {process.ProcessId}) in {info.WorkingDirectory}: {report.Status}.");
            WriteVerbose(RulesetText.Containment(process));
            foreach (string line in RulesetText.Effective(ruleset, report)) WriteVerbose(line);
            foreach (LandlockPathRule rule in process.TerminalRules) WriteVerbose($"  implicit: allow {AccessText.Format(rule.Access)} on {rule.Path} (its private terminal)");
        }
        WarnAboutEnforcement(report);
        WarnAboutWritableSeams(process, ruleset);
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
