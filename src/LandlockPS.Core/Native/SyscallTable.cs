using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>
/// The system call numbers a seccomp filter names, for the architecture this process runs on, and
/// the AUDIT_ARCH value the filter checks first: a call made through another ABI (32-bit int 0x80
/// on x86_64, x32, AArch32) has other numbers, and is never judged by the native table.
/// </summary>
internal sealed record SyscallTable(
    uint AuditArch,
    bool HasX32,
    long Seccomp,
    int Socket,
    int Execve,
    int MemfdCreate,
    int IoUringSetup,
    int IoUringEnter,
    int IoUringRegister)
{
    /// <summary>x32 calls are x86_64 calls with this bit set in the number.</summary>
    internal const uint X32SyscallBit = 0x40000000;

    /// <summary>Calls from this number on (Linux 5.1 and later) have the same number on every architecture and ABI.</summary>
    internal const int FirstSharedNumber = 424;

    /// <summary>clone3, whose arguments (a struct in memory) no filter can read.</summary>
    internal const int Clone3 = 435;

    private static readonly SyscallTable X64 = new(
        AuditArch: 0xC000003E, HasX32: true, Seccomp: 317, Socket: 41, Execve: 59, MemfdCreate: 319,
        IoUringSetup: 425, IoUringEnter: 426, IoUringRegister: 427);

    private static readonly SyscallTable Arm64 = new(
        AuditArch: 0xC00000B7, HasX32: false, Seccomp: 277, Socket: 198, Execve: 221, MemfdCreate: 279,
        IoUringSetup: 425, IoUringEnter: 426, IoUringRegister: 427);

    /// <summary>The table for this process's architecture; null where the module knows none.</summary>
    internal static SyscallTable? Current { get; } = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => X64,
        Architecture.Arm64 => Arm64,
        _ => null,
    };
}
