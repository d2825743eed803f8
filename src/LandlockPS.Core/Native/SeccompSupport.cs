using System;
using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>What this kernel and process allow of seccomp, asked once: filters, user notifications, sealed memfds.</summary>
internal static unsafe partial class SeccompSupport
{
    internal const uint MFD_CLOEXEC = 0x1;
    /// <summary>A memfd that can never be executed: no x bits, and F_SEAL_EXEC (Linux 6.3).</summary>
    internal const uint MFD_NOEXEC_SEAL = 0x8;
    /// <summary>A memfd created executable on purpose (Linux 6.3).</summary>
    internal const uint MFD_EXEC = 0x10;

    private static readonly Lazy<(bool Filters, bool Notifications, bool NoExecSeal)> Probe = new(Ask);

    /// <summary>
    /// Seccomp filters that fail a call or kill the process can be installed here: the kernel has
    /// them, the architecture is one the module has a system call table for, and no filter of an
    /// outer sandbox (a container's) forbids seccomp(2) itself.
    /// </summary>
    internal static bool FiltersAvailable => Probe.Value.Filters;

    /// <summary>Filters can also stop a call for a listener to answer (SECCOMP_RET_USER_NOTIF).</summary>
    internal static bool NotificationsAvailable => Probe.Value.Notifications;

    /// <summary>memfd_create takes MFD_NOEXEC_SEAL (Linux 6.3).</summary>
    internal static bool MemfdNoExecSeal => Probe.Value.NoExecSeal;

    private static (bool, bool, bool) Ask()
    {
        if (SyscallTable.Current is not { } table || Seccomp.Prctl(Seccomp.PR_GET_SECCOMP, 0, 0, 0, 0) < 0) return (false, false, false);
        bool filters = ActionAvailable(table, Seccomp.RetErrno) && ActionAvailable(table, Seccomp.RetKillProcess);
        bool notifications = filters && ActionAvailable(table, Seccomp.RetUserNotif);
        int fd = MemfdCreate("landlockps-probe", MFD_CLOEXEC | MFD_NOEXEC_SEAL);
        if (fd >= 0) LibC.Close(fd);
        return (filters, notifications, fd >= 0);
    }

    private static bool ActionAvailable(SyscallTable table, uint action) =>
        LibC.Syscall(table.Seccomp, (nint)Seccomp.SECCOMP_GET_ACTION_AVAIL, 0, (nint)(&action), 0) == 0;

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreate(string name, uint flags);
}
