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
    /// the gate. Whatever goes wrong, the listener is closed on the way out, which fails a call
    /// still waiting at the gate: the launch thread can always finish.
    /// </summary>
    internal static bool Serve(LaunchContext* context, SafeDescriptorHandle progress, ControlGroupTree tree, SyscallTable table)
    {
        SafeDescriptorHandle? listener = null;
        bool listenerTaken = false, reached = false;
        ProcessApi.PollFd* fds = stackalloc ProcessApi.PollFd[2];
        try
        {
            while (Volatile.Read(ref context->Finished) == 0)
            {
                int count = 0;
                fds[count++] = new ProcessApi.PollFd { Fd = progress.Fd, Events = ProcessApi.POLLIN };
                if (listener is not null) fds[count++] = new ProcessApi.PollFd { Fd = listener.Fd, Events = ProcessApi.POLLIN };
                if (ProcessApi.Poll(fds, (nuint)count, -1) < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == ProcessApi.EINTR) continue;
                    throw new LandlockException($"Waiting on the launch failed ({Errno.Name(errno)}).", "poll", errno, "LaunchFailed");
                }
                if ((fds[0].Revents & ProcessApi.POLLIN) != 0)
                {
                    ulong drained;
                    ProcessApi.Read(progress.Fd, (byte*)&drained, sizeof(ulong));
                }
                if (!listenerTaken && Volatile.Read(ref context->ListenerFd) >= 0)
                {
                    listener = new SafeDescriptorHandle(context->ListenerFd);
                    listenerTaken = true;
                }
                else if (count == 2 && (fds[1].Revents & ProcessApi.POLLIN) != 0)
                {
                    Answer(listener!, tree, table, context);
                    reached = true;
                    listener!.Dispose();
                    listener = null;
                }
            }
            return reached;
        }
        finally
        {
            listener?.Dispose();
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
