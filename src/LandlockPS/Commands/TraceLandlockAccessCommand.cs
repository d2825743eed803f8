using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;
using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;
using LandlockPS.Core.Sandbox;
using LandlockPS.Remoting;

namespace LandlockPS.Commands;

/// <summary>
/// Runs a program, or a script block in a child pwsh, once, and emits every distinct file and network
/// access it and the processes it starts made, with the Landlock rights each needs: the evidence a
/// ruleset is written from. With -Ruleset the trial runs confined by it, and each access says
/// whether that ruleset allows it. The run's own output goes to the host.
/// </summary>
[Cmdlet(VerbsDiagnostic.Trace, "LandlockAccess", SupportsShouldProcess = true, DefaultParameterSetName = FilePathSet)]
[OutputType(typeof(LandlockAccessEvent))]
public sealed class TraceLandlockAccessCommand : ProgramOrScriptCmdlet
{
    private ISandboxRun? _run;

    /// <summary>Run the trial confined by this ruleset, and judge each access against it; without it the trial may do anything.</summary>
    [Parameter]
    [RulesetTransformation]
    [ValidateNotNull]
    public LandlockRuleset? Ruleset { get; set; }

    [Parameter]
    [ValidateRange(0, MaximumSeconds)]
    public int TimeoutSec { get; set; }

    [Parameter]
    [ValidateRange(0, MaximumSeconds)]
    public int KillAfterSec { get; set; } = 5;

    /// <summary>The most distinct accesses kept; calls past it are counted and reported, not recorded.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaximumAccessCount { get; set; } = AccessObserver.DefaultMaximumAccesses;

    // The rules LandlockPS added to the run (a script block's child pwsh's own needs).
    private IReadOnlyList<LandlockPathRule> _implicitRules = [];

    protected override void EndProcessing()
    {
        CommandAst? typed = !IsScriptBlock ? ProgramArguments.Parse(MyInvocation) : null;
        if (typed is not null) RefuseShortenedParameterAfterProgram(typed);
        string workingDirectory = ResolveWorkingDirectory();
        string target = IsScriptBlock ? "script block" : FilePath;
        if (!ShouldProcess(target, Ruleset is null ? "Trace a trial run" : $"Trace a trial run confined by {RulesetText.Describe(Ruleset)}")) return;
        LandlockRuleset ruleset = Ruleset ?? TrialRuleset();
        var observer = new AccessObserver(MaximumAccessCount);
        try
        {
            IReadOnlyList<LandlockAccessEvent> events = IsScriptBlock
                ? TraceScriptBlock(observer, ruleset, workingDirectory)
                : TraceProgram(observer, ruleset, BuildProgramStartInfo(FilePath, ArgumentList ?? [], typed, workingDirectory, observer));
            // Judged against the ruleset as the run had it: a block's child pwsh ran with its implicit rules too.
            if (Ruleset is not null) events = AccessFixText.WithSuggestions(AccessVerdicts.Judge(events, RunObservation.WithRules(Ruleset, _implicitRules)));
            WriteObject(events, enumerateCollection: true);
        }
        catch (LandlockException e)
        {
            WriteError(ErrorHelper.FromException(e, target));
        }
        finally
        {
            observer.Dispose();
        }
    }

    protected override void OnStopping() => _run?.Stop();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _run?.Dispose();
            _run = null;
        }
        base.Dispose(disposing);
    }

    private IReadOnlyList<LandlockAccessEvent> TraceProgram(AccessObserver observer, LandlockRuleset ruleset, SandboxStartInfo info)
    {
        SandboxedProcess process = SandboxedProcess.Start(info, ruleset);
        var options = new NativeRunOptions(AsByteStream: false, StandardErrorMode.Host, TimeoutSec, KillAfterSec, PassThru: false,
            new UTF8Encoding(false), () => new UTF8Encoding(false), NativeRun.DefaultMaximumLineLength) { OutputToHost = true };
        var run = new NativeRun(this, process, info, options, StopToken);
        _run = run;
        if (Ruleset is not null) WarnAboutEnforcement(process.Enforcement);
        run.Finish();
        return RunObservation.Collect(this, observer);
    }

    // The child pwsh's own needs (its runtime, its scratch home) are marked Implicit: they say nothing of the block's.
    private IReadOnlyList<LandlockAccessEvent> TraceScriptBlock(AccessObserver observer, LandlockRuleset ruleset, string workingDirectory)
    {
        PwshLaunch launch = SandboxRunspace.LaunchFor(this, ruleset, implicitRules: true, BuildEnvironment(),
            workingDirectory, KeepCapabilities, AllowUnconfined, shortLived: true) with { Observer = observer };
        ScriptBlockRun run = ScriptBlockRun.Start(this, launch, ScriptBlock, ArgumentList ?? [], expectsInput: false, passThru: false,
            TimeoutSec, KillAfterSec, StopToken, outputToHost: true);
        _run = run;
        if (Ruleset is not null && run.State.Process is { } process) WarnAboutEnforcement(process.Enforcement);
        run.Finish();
        _implicitRules = run.State.ImplicitRules;
        // Ends the child pwsh, so the observer sees the whole run out.
        run.Dispose();
        _run = null;
        return ImplicitAccesses.Mark(RunObservation.Collect(this, observer), _implicitRules);
    }

    /// <summary>
    /// Without -Ruleset, the trial runs under a ruleset that allows every file-system right on "/",
    /// so it meets no denial; it still starts as every sandboxed child does (no capabilities unless
    /// -KeepCapabilities, no_new_privs, its own cgroup), so what it does is what it will do confined.
    /// Where this kernel has no Landlock, it runs unconfined: that restricts nothing more.
    /// </summary>
    private LandlockRuleset TrialRuleset()
    {
        LandlockSupport support = LandlockSupport.Query();
        LandlockAbi abi = support.EffectiveAbi is { } kernel && kernel < AbiFeatures.Newest ? kernel : AbiFeatures.Newest;
        LandlockAccessFs all = AbiFeatures.Of(abi).AccessFs;
        var ruleset = new LandlockRuleset(abi, handledAccessFs: all, handledAccessNet: LandlockAccessNet.None, scope: LandlockScope.None, name: "trial (allows everything)");
        ruleset.AddPathRule("/", all);
        if (support.EffectiveAbi is null) AllowUnconfined = true;
        return ruleset;
    }
}
