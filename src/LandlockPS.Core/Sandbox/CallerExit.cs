using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// The ends of this process that leave it time to clean up after its runs: its exit (ProcessExit);
/// SIGTERM (a service manager stopping it) or SIGHUP (its terminal closing), which end it without
/// ProcessExit; and a crash, an exception nothing caught (pwsh's own when it writes to a terminal that
/// closed), before the runtime aborts. What is registered runs at the first of them, once, in the
/// order registered; a second end meanwhile waits for it. Then the end goes on as it would.
/// </summary>
internal static class CallerExit
{
    private static readonly List<Action> Actions = [];
    private static readonly object Running = new();
    private static bool _ran;

    // Kept alive for the life of the process: a collected registration is a removed handler.
    private static readonly PosixSignalRegistration[] EndOnSignals;

    static CallerExit()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Run();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => Run();
        EndOnSignals = [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP }.Select(signal => PosixSignalRegistration.Create(signal, _ => Run()))];
    }

    /// <summary>Runs <paramref name="action"/> when this process ends (see the type).</summary>
    internal static void Register(Action action)
    {
        lock (Actions) Actions.Add(action);
    }

    private static void Run()
    {
        lock (Running)
        {
            if (_ran) return;
            _ran = true;
            Action[] actions;
            lock (Actions) actions = [.. Actions];
            foreach (Action action in actions) action();
        }
    }
}
