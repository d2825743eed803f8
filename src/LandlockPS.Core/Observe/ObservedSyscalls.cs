using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace LandlockPS.Core.Observe;

/// <summary>The system calls the observer stops, by what their arguments mean (not by number: that depends on the architecture).</summary>
internal enum ObservedCall
{
    Open,
    Creat,
    OpenAt,
    OpenAt2,
    Execve,
    ExecveAt,
    Mkdir,
    MkdirAt,
    Unlink,
    UnlinkAt,
    Rmdir,
    Rename,
    RenameAt,
    RenameAt2,
    Link,
    LinkAt,
    Symlink,
    SymlinkAt,
    Mknod,
    MknodAt,
    Truncate,
    Ftruncate,
    Connect,
    Bind,
}

/// <summary>
/// The numbers of the observed calls on this architecture, and the open(2) flags whose values differ
/// between architectures. arm64 has only the *at forms of the path calls (asm-generic), x86_64 both.
/// </summary>
internal sealed class ObservedSyscalls
{
    private ObservedSyscalls(Dictionary<int, ObservedCall> calls, int directoryFlag, int noFollowFlag)
    {
        Calls = calls;
        ODirectory = directoryFlag;
        ONoFollow = noFollowFlag;
    }

    internal IReadOnlyDictionary<int, ObservedCall> Calls { get; }

    internal int ODirectory { get; }

    internal int ONoFollow { get; }

    /// <summary>The table for this process's architecture; null where the module knows none.</summary>
    internal static ObservedSyscalls? Current { get; } = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => new ObservedSyscalls(new()
        {
            [2] = ObservedCall.Open, [85] = ObservedCall.Creat, [257] = ObservedCall.OpenAt, [437] = ObservedCall.OpenAt2,
            [59] = ObservedCall.Execve, [322] = ObservedCall.ExecveAt, [83] = ObservedCall.Mkdir, [258] = ObservedCall.MkdirAt,
            [87] = ObservedCall.Unlink, [263] = ObservedCall.UnlinkAt, [84] = ObservedCall.Rmdir, [82] = ObservedCall.Rename,
            [264] = ObservedCall.RenameAt, [316] = ObservedCall.RenameAt2, [86] = ObservedCall.Link, [265] = ObservedCall.LinkAt,
            [88] = ObservedCall.Symlink, [266] = ObservedCall.SymlinkAt, [133] = ObservedCall.Mknod, [259] = ObservedCall.MknodAt,
            [76] = ObservedCall.Truncate, [77] = ObservedCall.Ftruncate, [42] = ObservedCall.Connect, [49] = ObservedCall.Bind,
        }, directoryFlag: 0x10000, noFollowFlag: 0x20000),
        Architecture.Arm64 => new ObservedSyscalls(new()
        {
            [56] = ObservedCall.OpenAt, [437] = ObservedCall.OpenAt2, [221] = ObservedCall.Execve, [281] = ObservedCall.ExecveAt,
            [34] = ObservedCall.MkdirAt, [35] = ObservedCall.UnlinkAt, [38] = ObservedCall.RenameAt, [276] = ObservedCall.RenameAt2,
            [37] = ObservedCall.LinkAt, [36] = ObservedCall.SymlinkAt, [33] = ObservedCall.MknodAt, [45] = ObservedCall.Truncate,
            [46] = ObservedCall.Ftruncate, [203] = ObservedCall.Connect, [200] = ObservedCall.Bind,
        }, directoryFlag: 0x4000, noFollowFlag: 0x8000),
        _ => null,
    };
}
