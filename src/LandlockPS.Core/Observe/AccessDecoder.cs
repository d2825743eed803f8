using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Observe;

/// <summary>One access a stopped call makes, before it is counted: what, where, which rights.</summary>
/// <param name="Operation">The call, by name.</param>
/// <param name="Path">The absolute path it acts on; null for a network access.</param>
/// <param name="Access">The file-system rights it needs.</param>
/// <param name="NetAccess">The network rights it needs.</param>
/// <param name="Port">The port of a connect or bind.</param>
/// <param name="FollowsLink">Whether the call follows a symbolic link in the final name (open does; unlink acts on the link).</param>
/// <param name="Emulation">The class LandlockPS's emulation closes that the call belongs to (it was denied); None for an ordinary call.</param>
internal readonly record struct ObservedAccess(string Operation, string? Path, bool FollowsLink,
    LandlockAccessFs Access, LandlockAccessNet NetAccess = LandlockAccessNet.None, int? Port = null,
    LandlockEmulation Emulation = LandlockEmulation.None);

/// <summary>
/// Turns a stopped call into the accesses it makes and the Landlock rights each needs, reading its
/// arguments from the calling thread's memory while the call waits. Landlock judges creation and
/// removal on the directory holding the entry, and a link or rename between directories needs Refer
/// on both: the rights here are those the kernel checks, named on the entry they concern.
/// One decoder serves one listener: its buffer is not shared.
/// </summary>
internal sealed unsafe class AccessDecoder(ObservedSyscalls table)
{
    private const int O_ACCMODE = 3;
    private const int O_WRONLY = 1;
    private const int O_RDWR = 2;
    private const int O_CREAT = 0x40;
    private const int O_TRUNC = 0x200;
    private const int O_PATH = 0x200000;
    private const int AT_REMOVEDIR = 0x200;
    private const int AT_SYMLINK_FOLLOW = 0x400;
    private const uint RENAME_EXCHANGE = 2;
    private const ushort AF_UNIX = 1;
    private const ushort AF_INET = 2;
    private const ushort AF_INET6 = 10;
    private const int SOCK_DGRAM = 2;

    private readonly byte[] _buffer = new byte[Tracee.PathMax];

    /// <summary>Adds to <paramref name="into"/> what <paramref name="call"/> accesses; nothing when it is not an observed call or its arguments cannot be read.</summary>
    internal void Decode(in Seccomp.Notification call, List<ObservedAccess> into)
    {
        if (!table.Calls.TryGetValue(call.Nr, out ObservedCall kind)) return;
        Seccomp.Notification copy = call;
        ulong* a = copy.Args;
        int tid = (int)call.Pid;
        switch (kind)
        {
            case ObservedCall.Open: Open(tid, TraceePaths.AtFdCwd, a[0], (int)a[1], into); break;
            case ObservedCall.Creat: Open(tid, TraceePaths.AtFdCwd, a[0], O_CREAT | O_WRONLY | O_TRUNC, into); break;
            case ObservedCall.OpenAt: Open(tid, (int)a[0], a[1], (int)a[2], into); break;
            case ObservedCall.OpenAt2: OpenAt2(tid, (int)a[0], a[1], a[2], into); break;
            case ObservedCall.Execve: Add(into, "execve", Path(tid, TraceePaths.AtFdCwd, a[0]), true, LandlockAccessFs.Execute); break;
            case ObservedCall.ExecveAt: Add(into, "execve", Path(tid, (int)a[0], a[1]), true, LandlockAccessFs.Execute); break;
            case ObservedCall.Mkdir: Make(into, "mkdir", Path(tid, TraceePaths.AtFdCwd, a[0]), LandlockAccessFs.MakeDir); break;
            case ObservedCall.MkdirAt: Make(into, "mkdir", Path(tid, (int)a[0], a[1]), LandlockAccessFs.MakeDir); break;
            case ObservedCall.Unlink: Remove(into, "unlink", Path(tid, TraceePaths.AtFdCwd, a[0]), LandlockAccessFs.RemoveFile); break;
            case ObservedCall.UnlinkAt:
                bool directory = ((int)a[2] & AT_REMOVEDIR) != 0;
                Remove(into, directory ? "rmdir" : "unlink", Path(tid, (int)a[0], a[1]), directory ? LandlockAccessFs.RemoveDir : LandlockAccessFs.RemoveFile);
                break;
            case ObservedCall.Rmdir: Remove(into, "rmdir", Path(tid, TraceePaths.AtFdCwd, a[0]), LandlockAccessFs.RemoveDir); break;
            case ObservedCall.Rename: Rename(Path(tid, TraceePaths.AtFdCwd, a[0]), Path(tid, TraceePaths.AtFdCwd, a[1]), exchange: false, into); break;
            case ObservedCall.RenameAt: Rename(Path(tid, (int)a[0], a[1]), Path(tid, (int)a[2], a[3]), exchange: false, into); break;
            case ObservedCall.RenameAt2: Rename(Path(tid, (int)a[0], a[1]), Path(tid, (int)a[2], a[3]), ((uint)a[4] & RENAME_EXCHANGE) != 0, into); break;
            case ObservedCall.Link: Link(Path(tid, TraceePaths.AtFdCwd, a[0]), Path(tid, TraceePaths.AtFdCwd, a[1]), follow: false, into); break;
            case ObservedCall.LinkAt: Link(Path(tid, (int)a[0], a[1]), Path(tid, (int)a[2], a[3]), ((int)a[4] & AT_SYMLINK_FOLLOW) != 0, into); break;
            case ObservedCall.Symlink: Make(into, "symlink", Path(tid, TraceePaths.AtFdCwd, a[1]), LandlockAccessFs.MakeSym); break;
            case ObservedCall.SymlinkAt: Make(into, "symlink", Path(tid, (int)a[1], a[2]), LandlockAccessFs.MakeSym); break;
            case ObservedCall.Mknod: Make(into, "mknod", Path(tid, TraceePaths.AtFdCwd, a[0]), MakeRight((uint)a[1])); break;
            case ObservedCall.MknodAt: Make(into, "mknod", Path(tid, (int)a[0], a[1]), MakeRight((uint)a[2])); break;
            case ObservedCall.Truncate: Add(into, "truncate", Path(tid, TraceePaths.AtFdCwd, a[0]), true, LandlockAccessFs.Truncate); break;
            // The path is the one the file was opened by: Landlock decided the right to truncate then.
            case ObservedCall.Ftruncate: Add(into, "ftruncate", TraceePaths.Absolute(tid, (int)a[0], string.Empty), true, LandlockAccessFs.Truncate); break;
            case ObservedCall.Connect: Socket(tid, "connect", (int)a[0], a[1], (int)a[2], into); break;
            case ObservedCall.Bind: Socket(tid, "bind", (int)a[0], a[1], (int)a[2], into); break;
        }
    }

    private string? Path(int tid, int dirfd, ulong address) =>
        Tracee.ReadString(tid, address, _buffer) is { } path ? TraceePaths.Absolute(tid, dirfd, path) : null;

    private static void Add(List<ObservedAccess> into, string operation, string? path, bool followsLink, LandlockAccessFs access)
    {
        if (path is not null && access != LandlockAccessFs.None) into.Add(new ObservedAccess(operation, path, followsLink, access));
    }

    // The kernel fails a creation over an existing name (EEXIST), and a removal of a missing one
    // (ENOENT), before Landlock is asked: such a call needs no right, and is not recorded.
    private static void Make(List<ObservedAccess> into, string operation, string? path, LandlockAccessFs access)
    {
        if (path is not null && !Exists(path)) Add(into, operation, path, false, access);
    }

    private static void Remove(List<ObservedAccess> into, string operation, string? path, LandlockAccessFs access)
    {
        if (path is not null && Exists(path)) Add(into, operation, path, false, access);
    }

    private void OpenAt2(int tid, int dirfd, ulong path, ulong how, List<ObservedAccess> into)
    {
        // struct open_how starts with its u64 flags.
        Span<byte> flags = stackalloc byte[8];
        if (!Tracee.ReadBytes(tid, how, flags)) return;
        Open(tid, dirfd, path, (int)BinaryPrimitives.ReadUInt64LittleEndian(flags), into);
    }

    // O_PATH opens nothing Landlock checks. Reading a directory is ReadDir, told apart once the
    // access is first counted (see AccessObserver). Whether the name exists now tells a creation
    // (MakeReg, and no truncation of the new file) from an open; only an existing regular file is
    // truncated (fs/namei.c do_open).
    private void Open(int tid, int dirfd, ulong address, int flags, List<ObservedAccess> into)
    {
        if ((flags & O_PATH) != 0) return;
        string? path = Path(tid, dirfd, address);
        if (path is null) return;
        bool follows = (flags & table.ONoFollow) == 0;
        LandlockAccessFs access = (flags & O_ACCMODE) switch
        {
            O_WRONLY => LandlockAccessFs.WriteFile,
            O_RDWR => LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile,
            _ => (flags & table.ODirectory) != 0 ? LandlockAccessFs.ReadDir : LandlockAccessFs.ReadFile,
        };
        if ((flags & (O_CREAT | O_TRUNC)) != 0)
        {
            bool exists = PathLookup.TryStat(path, out LibC.StatxBuffer status, out _);
            if (!exists && (flags & O_CREAT) != 0) access |= LandlockAccessFs.MakeReg;
            else if (exists && status.IsRegularFile && (flags & O_TRUNC) != 0 && (access & LandlockAccessFs.WriteFile) != 0) access |= LandlockAccessFs.Truncate;
        }
        into.Add(new ObservedAccess("open", path, follows, access));
    }

    // The entry leaves one directory and appears in another: removed there, made here (of the
    // entry's type), Refer on both when they differ. A replaced or exchanged entry is removed too.
    private static void Rename(string? from, string? to, bool exchange, List<ObservedAccess> into)
    {
        if (from is null || to is null) return;
        LandlockAccessFs moved = EntryType(from);
        if (!Exists(from)) return;
        LandlockAccessFs replaced = Exists(to) ? EntryType(to) : LandlockAccessFs.None;
        LandlockAccessFs refer = TraceePaths.Parent(from) == TraceePaths.Parent(to) ? LandlockAccessFs.None : LandlockAccessFs.Refer;
        LandlockAccessFs fromAccess = Removal(moved) | refer | (exchange ? replaced : LandlockAccessFs.None);
        LandlockAccessFs toAccess = moved | refer | Removal(replaced);
        into.Add(new ObservedAccess("rename", from, false, fromAccess));
        into.Add(new ObservedAccess("rename", to, false, toAccess));
    }

    // A hard link: the new entry is made (of the source's type), and Refer is needed on both sides when the directories differ.
    private static void Link(string? from, string? to, bool follow, List<ObservedAccess> into)
    {
        if (from is null || to is null || !Exists(from) || Exists(to)) return;
        bool across = TraceePaths.Parent(from) != TraceePaths.Parent(to);
        if (across) into.Add(new ObservedAccess("link", from, follow, LandlockAccessFs.Refer));
        into.Add(new ObservedAccess("link", to, false, EntryType(from) | (across ? LandlockAccessFs.Refer : LandlockAccessFs.None)));
    }

    private static bool IsLink(string path) => PathLookup.ReadLink(path, out _) is not null;

    // The name itself exists, be it a symbolic link to nothing.
    private static bool Exists(string path) => IsLink(path) || PathLookup.TryStat(path, out _, out _);

    // The Make* right for the kind of entry at path (not following a final link); MakeReg when it cannot be told.
    private static LandlockAccessFs EntryType(string path)
    {
        if (IsLink(path)) return LandlockAccessFs.MakeSym;
        if (!PathLookup.TryStat(path, out LibC.StatxBuffer status, out _)) return LandlockAccessFs.MakeReg;
        return MakeRight(status.Mode);
    }

    private static LandlockAccessFs MakeRight(uint mode) => (mode & LibC.S_IFMT) switch
    {
        LibC.S_IFDIR => LandlockAccessFs.MakeDir,
        LibC.S_IFCHR => LandlockAccessFs.MakeChar,
        LibC.S_IFBLK => LandlockAccessFs.MakeBlock,
        LibC.S_IFSOCK => LandlockAccessFs.MakeSock,
        0x1000 => LandlockAccessFs.MakeFifo,
        0xA000 => LandlockAccessFs.MakeSym,
        _ => LandlockAccessFs.MakeReg,
    };

    private static LandlockAccessFs Removal(LandlockAccessFs made) => made switch
    {
        LandlockAccessFs.None => LandlockAccessFs.None,
        LandlockAccessFs.MakeDir => LandlockAccessFs.RemoveDir,
        _ => LandlockAccessFs.RemoveFile,
    };

    // An inet address gives a port (TCP or UDP by the socket's type); a pathname UNIX address is a
    // file: connecting to it needs ResolveUnix on it, binding makes it (MakeSock).
    private void Socket(int tid, string operation, int fd, ulong address, int length, List<ObservedAccess> into)
    {
        if (length < 4) return;
        Span<byte> raw = stackalloc byte[Math.Min(length, 110)];
        if (!Tracee.ReadBytes(tid, address, raw)) return;
        ushort family = BinaryPrimitives.ReadUInt16LittleEndian(raw);
        if (family is AF_INET or AF_INET6)
        {
            int port = BinaryPrimitives.ReadUInt16BigEndian(raw[2..]);
            bool udp = Tracee.SocketType(tid, fd) == SOCK_DGRAM;
            LandlockAccessNet access = operation == "bind"
                ? udp ? LandlockAccessNet.BindUdp : LandlockAccessNet.BindTcp
                : udp ? LandlockAccessNet.ConnectSendUdp : LandlockAccessNet.ConnectTcp;
            into.Add(new ObservedAccess(operation, null, false, LandlockAccessFs.None, access, port));
            return;
        }
        // An abstract address starts with a NUL byte and names no file.
        if (family != AF_UNIX || raw[2] == 0) return;
        ReadOnlySpan<byte> name = raw[2..];
        int end = name.IndexOf((byte)0);
        string path = System.Text.Encoding.UTF8.GetString(end < 0 ? name : name[..end]);
        Add(into, operation, TraceePaths.Absolute(tid, TraceePaths.AtFdCwd, path), operation == "connect",
            operation == "bind" ? LandlockAccessFs.MakeSock : LandlockAccessFs.ResolveUnix);
    }
}
