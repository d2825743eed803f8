using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// The ends of this process that leave it time to clean up after its runs: its exit (ProcessExit);
/// SIGTERM (a service manager stopping it) or SIGHUP (its terminal closing), which end it without
/// ProcessExit; and a crash, an exception nothing caught (pwsh's own when it writes to a terminal that
/// closed), before the runtime aborts. What is registered runs at each of them, in the order
/// registered; a second end meanwhile waits for the first. Then the end goes on as it would. Each end
/// runs it again: a host that outlives a signal (one that cancels SIGTERM to stop gracefully) may
/// start runs after it, and they must end at its exit too. What is registered acts only on what is
/// live when it runs, so running it again is safe.
/// </summary>
internal static class CallerExit
{
    private static readonly List<Action> Actions = [];
    private static readonly object Running = new();

    // An action that throws while an end runs them (an exception nothing catches) must not start them over.
    [ThreadStatic]
    private static bool _running;

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
        if (_running) return;
        lock (Running)
        {
            _running = true;
            try
            {
                Action[] actions;
                lock (Actions) actions = [.. Actions];
                foreach (Action action in actions) action();
            }
            finally
            {
                _running = false;
            }
        }
    }
}
