using System;
using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>A generic descriptor the module owns: pipe ends, eventfds, /dev/null.</summary>
public sealed class SafeDescriptorHandle : SafeFileDescriptor
{
    internal SafeDescriptorHandle(int fd) : base(fd) { }

    /// <summary>At most <paramref name="maxBytes"/> (a few hundred: they go on the stack) read once from here, as ASCII; null when the read fails.</summary>
    internal unsafe string? ReadSmall(int maxBytes)
    {
        byte* buffer = stackalloc byte[maxBytes];
        nint read = ProcessApi.Read(Fd, buffer, (nuint)maxBytes);
        return read < 0 ? null : System.Text.Encoding.ASCII.GetString(buffer, (int)read);
    }
}

/// <summary>A pidfd: refers to exactly one process, immune to pid reuse.</summary>
public sealed class SafePidfdHandle : SafeFileDescriptor
{
    internal SafePidfdHandle(int fd) : base(fd) { }
}

/// <summary>Creates the descriptors a launch needs, all close-on-exec.</summary>
internal static unsafe class FileDescriptors
{
    /// <summary>A pipe whose ends are both above stdio, so dup2 onto 0-2 in the child never clobbers one of them.</summary>
    internal static (SafeDescriptorHandle Read, SafeDescriptorHandle Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (ProcessApi.Pipe2(fds, LibC.O_CLOEXEC) != 0) throw Failure("pipe2");
        return (AboveStdio(fds[0]), AboveStdio(fds[1]));
    }

    internal static SafeDescriptorHandle OpenDevNull()
    {
        int fd = LibC.Open("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0) throw Failure("open /dev/null");
        return AboveStdio(fd);
    }

    internal static SafeDescriptorHandle EventFd()
    {
        int fd = ProcessApi.EventFd(0, ProcessApi.EFD_CLOEXEC | ProcessApi.EFD_NONBLOCK);
        if (fd < 0) throw Failure("eventfd");
        return new SafeDescriptorHandle(fd);
    }

    /// <summary>Adds one to an eventfd, waking whoever polls it; nothing once it is disposed. Safe from any thread.</summary>
    internal static void Notify(SafeDescriptorHandle eventFd)
    {
        ulong one = 1;
        bool added = false;
        try
        {
            eventFd.DangerousAddRef(ref added);
            ProcessApi.Write(eventFd.Fd, (byte*)&one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
            // Already finished and disposed: nobody to wake.
        }
        finally
        {
            if (added) eventFd.DangerousRelease();
        }
    }

    internal static SafePidfdHandle PidfdOpen(int pid)
    {
        long fd = LibC.Syscall(ProcessApi.SYS_pidfd_open, pid, 0, 0, 0);
        if (fd < 0) throw Failure("pidfd_open");
        return new SafePidfdHandle((int)fd);
    }

    internal static void SetNonBlocking(SafeFileDescriptor handle)
    {
        int flags = ProcessApi.Fcntl(handle.Fd, ProcessApi.F_GETFL, 0);
        if (flags < 0 || ProcessApi.Fcntl(handle.Fd, ProcessApi.F_SETFL, flags | LibC.O_NONBLOCK) < 0)
        {
            throw Failure("fcntl");
        }
    }

    /// <summary>Asks for a bigger pipe buffer: fewer, larger reads for a chatty child. Best effort.</summary>
    internal static void TryGrowPipe(SafeDescriptorHandle pipe, int bytes) => ProcessApi.Fcntl(pipe.Fd, ProcessApi.F_SETPIPE_SZ, bytes);

    private static SafeDescriptorHandle AboveStdio(int fd)
    {
        if (fd > 2) return new SafeDescriptorHandle(fd);
        // A caller started with a closed stdio descriptor hands us 0, 1 or 2: move it up.
        int moved = ProcessApi.Fcntl(fd, ProcessApi.F_DUPFD_CLOEXEC, 3);
        int errno = Marshal.GetLastPInvokeError();
        LibC.Close(fd);
        if (moved < 0) throw new LandlockException($"Could not move a descriptor above stdio ({Errno.Name(errno)}).", "fcntl", errno, "LaunchFailed");
        return new SafeDescriptorHandle(moved);
    }

    private static LandlockException Failure(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new LandlockException($"{call} failed ({Errno.Name(errno)}).", call, errno, errno == Errno.ENOMEM ? "ResourceExhausted" : "LaunchFailed");
    }
}
