using System.Runtime.InteropServices;
using System.Threading;
using LandlockPS.Core.Native;
using LandlockPS.Core.Observe;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// Places a child in its run's cgroup before its program exists. glibc's posix_spawn has no
/// CLONE_INTO_CGROUP, and writing the pid once posix_spawn returns leaves the program running
/// outside meanwhile (a fork in its first instruction escapes). Instead the launch filter stops
/// exactly the spawn child's execve (matched on the addresses of the path, argv and envp this
/// launch laid out), and the calling thread, serving the filter's listener while the launch
/// thread spawns, moves the stopped child into the cgroup and lets the execve go on. Then it
/// closes the listener: a later execve that happens to match fails with ENOSYS (a denial, never a
/// way out), and the sandbox may make listeners of its own.
/// <para>
/// A traced run's filter stops more than the gate's execve, from the first call the spawn makes: the
/// observer records those and lets them run, and takes the listener over once the launch is done.
/// Such a run may be ungated (held by its process group): the listener is served all the same.
/// </para>
/// </summary>
internal static unsafe class ExecGate
{
    /// <summary>
    /// Serves the listener until the launch thread is done (without an <paramref name="observer"/>,
    /// until the gate's execve is let go, which is the last call to serve). True when the child's execve reached
    /// the gate (never without a <paramref name="tree"/> to place it in). Whatever goes wrong, the
    /// listener is closed before this returns or throws, which fails a call still waiting at the gate
    /// (ENOSYS): the launch thread can always finish. An <paramref name="observer"/> takes over a
    /// listener still open when the launch is done.
    /// </summary>
    internal static bool Serve(LaunchContext* context, SafeDescriptorHandle progress, ControlGroupTree? tree, SyscallTable table, AccessObserver? observer)
    {
        var listener = new Listener(context);
        bool reached = false;
        bool handedOver = false;
        try
        {
            while (Volatile.Read(ref context->Finished) == 0)
            {
                if (!WaitForProgress(progress, listener.Open)) continue;
                while (listener.Open is { } open && Readable(open))
                {
                    bool gate = Answer(open, tree is not null && !reached ? tree : null, table, context, observer);
                    reached |= gate;
                    if (gate && observer is null)
                    {
                        // Nothing is left to serve: the caller joins the thread now, instead of being
                        // woken once more to hear it is done (a wake-up costs tens of µs on a VM).
                        listener.Close();
                        return true;
                    }
                }
                listener.TakeIfReported();
            }
            if (observer is not null && listener.Open is not null)
            {
                observer.Attach(listener.Release());
                handedOver = true;
            }
            return reached;
        }
        finally
        {
            // Without a listener to close yet, wait for the thread to report one (or be done), then close it.
            while (!handedOver && Volatile.Read(ref context->Finished) == 0 && listener.Unseen)
            {
                listener.TakeIfReported();
                if (listener.Unseen) Thread.Sleep(1);
            }
            if (!handedOver) listener.Close();
        }
    }

    // Waits until the launch thread reports progress or the listener has a call. False on EINTR.
    private static bool WaitForProgress(SafeDescriptorHandle progress, SafeDescriptorHandle? listener)
    {
        ProcessApi.PollFd* fds = stackalloc ProcessApi.PollFd[2];
        fds[0] = new ProcessApi.PollFd { Fd = progress.Fd, Events = ProcessApi.POLLIN };
        if (listener is not null) fds[1] = new ProcessApi.PollFd { Fd = listener.Fd, Events = ProcessApi.POLLIN };
        if (ProcessApi.Poll(fds, listener is null ? 1u : 2u, -1) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == ProcessApi.EINTR) return false;
            throw new LandlockException($"Waiting on the launch failed ({Errno.Name(errno)}).", "poll", errno, "LaunchFailed");
        }
        if ((fds[0].Revents & ProcessApi.POLLIN) != 0)
        {
            ulong drained;
            ProcessApi.Read(progress.Fd, (byte*)&drained, sizeof(ulong));
        }
        return true;
    }

    private static bool Readable(SafeDescriptorHandle listener)
    {
        var poll = new ProcessApi.PollFd { Fd = listener.Fd, Events = ProcessApi.POLLIN };
        return ProcessApi.Poll(&poll, 1, 0) > 0 && (poll.Revents & ProcessApi.POLLIN) != 0;
    }

    /// <summary>The filter's listener as the launch thread reports it: not yet, open, or closed for good.</summary>
    private sealed class Listener(LaunchContext* context)
    {
        private bool _taken;

        public SafeDescriptorHandle? Open { get; private set; }

        /// <summary>The thread may still report a listener this side has not closed.</summary>
        public bool Unseen => !_taken;

        public void TakeIfReported()
        {
            if (_taken || Volatile.Read(ref context->ListenerFd) < 0) return;
            Open = new SafeDescriptorHandle(context->ListenerFd);
            _taken = true;
            Seccomp.WakeSynchronously(Open);
        }

        public void Close()
        {
            Open?.Dispose();
            Open = null;
        }

        /// <summary>Gives the open listener away: it is no longer this side's to close.</summary>
        public SafeDescriptorHandle Release()
        {
            SafeDescriptorHandle open = Open!;
            Open = null;
            return open;
        }
    }

    // Without an observer, the filter stops nothing but the gate's execve; anything else would be a
    // bug, and is refused. With one, everything else is the observer's to record and let run. True
    // when this was the gate's execve (only looked for while a tree waits for the child).
    private static bool Answer(SafeDescriptorHandle listener, ControlGroupTree? tree, SyscallTable table, LaunchContext* context, AccessObserver? observer)
    {
        // A child killed while it waited needs no answer.
        if (!Seccomp.TryReceive(listener, out Seccomp.Notification call)) return false;
        bool gate = tree is not null && call.Nr == table.Execve && call.Arch == table.AuditArch
            && call.Args[0] == (ulong)context->Path && call.Args[1] == (ulong)context->Argv && call.Args[2] == (ulong)context->Envp;
        if (gate)
        {
            tree!.Adopt((int)call.Pid);
            if (observer is null) Seccomp.Continue(listener, call.Id);
        }
        if (observer is not null) observer.Answer(listener, call);
        else if (!gate) Seccomp.Deny(listener, call.Id, Errno.ENOSYS);
        return gate;
    }
}
