using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Text;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;

namespace LandlockPS.Commands;

/// <summary>
/// Runs a program in a child process confined by a Landlock ruleset, streaming its output to the
/// pipeline. The caller's own session is never confined.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Sandboxed", SupportsShouldProcess = true, DefaultParameterSetName = FilePathSet)]
[OutputType(typeof(string), typeof(byte[]), typeof(SandboxResult))]
public sealed class InvokeSandboxedCommand : CancellableCmdlet
{
    private const string FilePathSet = "FilePath";

    private SandboxStartInfo? _template;
    private NativeRunOptions? _options;
    private NativeRun? _run;
    private bool _rulesetFromPipeline;
    private bool _feedsInput;
    private bool _inputNamed;

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LandlockRuleset Ruleset { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FilePathSet)]
    [ValidateNotNullOrEmpty]
    public string FilePath { get; set; } = null!;

    [Parameter(Position = 1, ParameterSetName = FilePathSet)]
    [AllowEmptyCollection]
    [AllowEmptyString]
    public string[] ArgumentList { get; set; } = [];

    [Parameter(ValueFromPipeline = true)]
    public object? InputObject { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    [Parameter]
    [ValidateNotNull]
    public IDictionary? Environment { get; set; }

    [Parameter]
    public SwitchParameter ClearEnvironment { get; set; }

    [Parameter]
    public int TimeoutSec { get; set; }

    [Parameter]
    public SwitchParameter AsByteStream { get; set; }

    [Parameter]
    public StandardErrorMode StandardError { get; set; } = StandardErrorMode.Host;

    [Parameter]
    public SwitchParameter KeepCapabilities { get; set; }

    [Parameter]
    public SwitchParameter AllowUnconfined { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        if (TimeoutSec < 0)
        {
            ThrowTerminatingError(ErrorHelper.Create("InvalidTimeout", ErrorCategory.InvalidArgument,
                $"-TimeoutSec must be 0 (no timeout) or a positive number of seconds; got {TimeoutSec}.", TimeoutSec));
        }
        _template = BuildStartInfo();
        _options = new NativeRunOptions(AsByteStream, StandardError, TimeoutSec, PassThru, ConsoleEncoding(), InputEncoding);

        // The rule: a ruleset named with -Ruleset leaves the pipeline to standard input; otherwise
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
        using NativeRun? run = Start(Ruleset, _inputNamed);
        if (run is null) return;
        if (_inputNamed) run.Feed(InputObject);
        run.Finish();
    }

    protected override void EndProcessing()
    {
        _run?.Finish();
    }

    protected override void OnStopping() => _run?.Kill();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _run?.Dispose();
            _run = null;
        }
        base.Dispose(disposing);
    }

    private SandboxStartInfo BuildStartInfo()
    {
        string? program = ExecutableResolver.Resolve(this, FilePath);
        if (program is null)
        {
            ThrowTerminatingError(ErrorHelper.Create("ExecutableNotFound", ErrorCategory.ObjectNotFound,
                $"'{FilePath}' is not a program on PATH or a file-system path. Check the name, or give its full path.", FilePath));
        }
        string workingDirectory = PathResolver.CurrentDirectory(this);
        if (WorkingDirectory is not null)
        {
            string? resolved = ResolveWorkingDirectory(WorkingDirectory);
            if (resolved is null || !System.IO.Directory.Exists(resolved))
            {
                ThrowTerminatingError(ErrorHelper.Create("WorkingDirectoryNotFound", ErrorCategory.ObjectNotFound,
                    $"The working directory '{WorkingDirectory}' does not exist or is not a directory.", WorkingDirectory));
            }
            workingDirectory = resolved!;
        }
        try
        {
            return new SandboxStartInfo(program!)
            {
                ArgumentZero = FilePath,
                Arguments = ArgumentList,
                WorkingDirectory = workingDirectory,
                Environment = ChildEnvironment.Build(Environment, ClearEnvironment),
                KeepCapabilities = KeepCapabilities,
                AllowUnconfined = AllowUnconfined,
            };
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "InvalidEnvironment", ErrorCategory.InvalidArgument, Environment));
            throw; // not reached
        }
    }

    private string? ResolveWorkingDirectory(string path)
    {
        try
        {
            return PathResolver.Resolve(this, path, literal: true).FirstOrDefault();
        }
        catch (PathNotFileSystemException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "PathNotFileSystem", ErrorCategory.InvalidArgument, path));
            throw; // not reached
        }
    }

    private NativeRun? Start(LandlockRuleset ruleset, bool redirectInput)
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
        if (!ShouldProcess(CommandLine(info), WillShowOperation() ? $"Run confined by {RulesetText.Describe(ruleset)}" : "Run confined")) return null;

        SandboxedProcess process;
        try
        {
            process = SandboxedProcess.Start(info, ruleset);
        }
        catch (LandlockException e)
        {
            WriteError(ErrorHelper.FromException(e, FilePath));
            return null;
        }
        ReportEnforcement(process, ruleset, info);
        return new NativeRun(this, process, info, _options!, StopToken);
    }

    private void ReportEnforcement(SandboxedProcess process, LandlockRuleset ruleset, SandboxStartInfo info)
    {
        LandlockEnforcementReport report = process.Enforcement;
        if (WantsVerbose())
        {
            WriteVerbose($"Started {CommandLine(info)} (pid {process.ProcessId}) in {info.WorkingDirectory}: {report.Status}.");
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
        MyInvocation.BoundParameters.TryGetValue(parameter, out object? value) && ((SwitchParameter)value).IsPresent;

    // The effective ruleset takes some formatting: only when someone will read it.
    private bool WantsVerbose() =>
        MyInvocation.BoundParameters.TryGetValue("Verbose", out object? bound)
            ? ((SwitchParameter)bound).IsPresent
            : GetVariableValue("VerbosePreference") is ActionPreference preference
              && preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

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
