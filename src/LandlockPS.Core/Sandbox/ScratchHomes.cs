using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// Every home this process made and has not removed yet: removed when the process ends (see
/// <see cref="CallerExit"/>; their children killed first), and the sweep of homes that crashed or
/// killed processes left behind.
/// </summary>
internal static class ScratchHomes
{
    private static readonly List<ScratchHome> Live = [];
    private static bool _started;

    /// <summary>At the first home: hook the exit, and sweep what earlier processes left.</summary>
    internal static void Start()
    {
        lock (Live)
        {
            if (_started) return;
            _started = true;
            CallerExit.Register(RemoveAll);
        }
        RemoveAbandoned();
    }

    internal static void Add(ScratchHome home)
    {
        lock (Live) Live.Add(home);
    }

    internal static void Remove(ScratchHome home)
    {
        lock (Live) Live.Remove(home);
    }

    private static void RemoveAll()
    {
        ScratchHome[] homes;
        lock (Live)
        {
            homes = [.. Live];
            Live.Clear();
        }
        // A child still running would write its home again on its way out (pwsh saves its JIT
        // profile when its input closes): end it first.
        var killed = new List<int>();
        foreach (ScratchHome home in homes)
        {
            try
            {
                // A reaped child's pid may already be another process's: nothing to wait for.
                if (home.Child is not { HasExited: false } child) continue;
                child.Kill();
                killed.Add(child.ProcessId);
            }
            catch (ObjectDisposedException)
            {
                // Ended and released meanwhile.
            }
        }
        // A kill lands a moment later, and later still on a loaded machine: a write under way
        // finishes first. Once every thread is gone (a zombie, or no process) nothing more is written.
        var clock = Stopwatch.StartNew();
        while (killed.Any(ProcessApi.ChildIsRunning) && clock.ElapsedMilliseconds < 5000) Thread.Sleep(10);
        foreach (ScratchHome home in homes) home.RemoveNow();
    }

    /// <summary>
    /// Removes homes nobody uses: folders of this user, marked as homes when they were made, whose
    /// lock anyone can take (every live home holds a shared one, across PID namespaces too) and
    /// whose maker is gone from this namespace; and empty, unmarked ones of such a maker. A folder
    /// renamed to a home's name is not one. Root never recursively deletes another user's folder,
    /// and never through a link.
    /// </summary>
    internal static void RemoveAbandoned()
    {
        try
        {
            using SafeDirectoryHandle root = HomeRoot.Open(out _);
            uint me = ProcessApi.GetEuid();
            // Listed through the folder held open: the names are those of the folder it checked.
            foreach (string folder in Directory.EnumerateDirectories($"/proc/self/fd/{root.Fd}", ScratchHome.Pattern))
            {
                string name = Path.GetFileName(folder);
                if (ScratchHome.MakerPid(name) is not { } pid || ProcessApi.Exists(pid)) continue;
                RemoveIfAbandoned(root, name, me);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LandlockException)
        {
            // A sweep only tidies; a folder of homes it cannot open or list is not this launch's problem.
        }
    }

    private static void RemoveIfAbandoned(SafeDirectoryHandle parent, string name, uint me)
    {
        try
        {
            using SafeDirectoryHandle folder = parent.OpenChild(name);
            LibC.StatxBuffer status = folder.Status();
            if (status.Uid != me) return;
            if (ScratchHome.IsMarked(folder, status))
            {
                if (folder.TryLock(exclusive: true)) TreeRemover.Remove(parent, name, folder, last: ScratchHome.MarkName);
            }
            // Made but never marked: its maker died first, or gave it up. Nothing of a home's is in
            // it; only an empty one goes (a folder a sandbox renamed to such a name is not empty).
            else parent.TryRemoveChild(name);
        }
        catch (LandlockException)
        {
            // Gone meanwhile, a link, or not ours to open: left alone.
        }
    }
}
