using System.Runtime.InteropServices;
using System.Threading;
using LandlockPS.Core.Native;

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
/// </summary>
internal static unsafe class ExecGate
{
    /// <summary>
    /// Serves the listener until the launch thread is done. True when the child's execve reached
    /// the gate. Whatever goes wrong, the listener is closed before this returns or throws, which
    /// fails a call still waiting at the gate (ENOSYS): the launch thread can always finish.
    /// </summary>
    internal static bool Serve(LaunchContext* context, SafeDescriptorHandle progress, ControlGroupTree tree, SyscallTable table)
    {
        var listener = new Listener(context);
        bool reached = false;
        try
        {
            while (Volatile.Read(ref context->Finished) == 0)
            {
                if (!WaitForProgress(progress, listener.Open)) continue;
                if (listener.Open is { } open && Readable(open))
                {
                    Answer(open, tree, table, context);
                    reached = true;
                    listener.Close();
                }
                listener.TakeIfReported();
            }
            return reached;
        }
        finally
        {
            // Without a listener to close yet, wait for the thread to report one (or be done), then close it.
            while (Volatile.Read(ref context->Finished) == 0 && listener.Unseen)
            {
                listener.TakeIfReported();
                if (listener.Unseen) Thread.Sleep(1);
            }
            listener.Close();
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
        }

        public void Close()
        {
            Open?.Dispose();
            Open = null;
        }
    }

    // The filter stops nothing but the gate's execve; anything else would be a bug, and is refused.
    private static void Answer(SafeDescriptorHandle listener, ControlGroupTree tree, SyscallTable table, LaunchContext* context)
    {
        // A child killed while it waited needs no answer.
        if (!Seccomp.TryReceive(listener, out Seccomp.Notification call)) return;
        bool gate = call.Nr == table.Execve && call.Arch == table.AuditArch
            && call.Args[0] == (ulong)context->Path && call.Args[1] == (ulong)context->Argv && call.Args[2] == (ulong)context->Envp;
        if (!gate)
        {
            Seccomp.Deny(listener, call.Id, Errno.ENOSYS);
            return;
        }
        tree.Adopt((int)call.Pid);
        Seccomp.Continue(listener, call.Id);
    }
}
