using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// The native memory a launch needs, laid out on the calling thread: path, argv, envp, spawn file
/// actions and attributes, signal sets and capability structs. Freed when disposed.
/// </summary>
internal sealed unsafe class NativeLaunchBlock : IDisposable
{
    private readonly List<nint> _allocations = [];
    private bool _fileActionsReady;
    private bool _attributesReady;

    internal NativeLaunchBlock(SandboxStartInfo info, int stdinFd, int stdoutFd, int stderrFd)
    {
        try
        {
            // At a random offset: the exec gate knows the child's first execve by this address (and
            // argv's, envp's), which a later exec in the sandbox then matches by accident only with
            // odds ASLR alone would not give where it is turned off.
            Path = Utf8(info.FilePath, Random.Shared.Next(4096));
            var argv = new List<string>(info.Arguments.Count + 1) { info.ArgumentZero ?? info.FilePath };
            argv.AddRange(info.Arguments);
            Argv = StringArray(argv);
            var envp = new List<string>();
            if (info.Environment is not null)
            {
                foreach (KeyValuePair<string, string> pair in info.Environment) envp.Add($"{pair.Key}={pair.Value}");
            }
            Envp = StringArray(envp);

            FullSignalSet = Alloc(SpawnApi.SigsetSize);
            void* emptySet = Alloc(SpawnApi.SigsetSize);
            SpawnApi.SigFillSet(FullSignalSet);
            // sigfillset leaves out glibc's internal signals (32, 33); posix_spawn would then start
            // the child with them ignored. Reset those to default as well.
            *(ulong*)FullSignalSet = ulong.MaxValue;
            SpawnApi.SigEmptySet(emptySet);

            FileActions = Alloc(SpawnApi.SpawnObjectSize);
            SpawnApi.Check(SpawnApi.FileActionsInit(FileActions), "posix_spawn_file_actions_init");
            _fileActionsReady = true;
            if (info.Terminal is { } terminal)
            {
                // Opened in the child, after posix_spawn's setsid and without O_NOCTTY: the replica
                // becomes the controlling terminal of the child's new session.
                SpawnApi.Check(SpawnApi.FileActionsAddOpen(FileActions, 0, Utf8(terminal.ReplicaPath), TerminalApi.O_RDWR, 0), "posix_spawn_file_actions_addopen");
                (stdinFd, stdoutFd, stderrFd) = (-1, 0, 0);
            }
            if (stdinFd >= 0) SpawnApi.Check(SpawnApi.FileActionsAddDup2(FileActions, stdinFd, 0), "posix_spawn_file_actions_adddup2");
            SpawnApi.Check(SpawnApi.FileActionsAddDup2(FileActions, stdoutFd, 1), "posix_spawn_file_actions_adddup2");
            SpawnApi.Check(SpawnApi.FileActionsAddDup2(FileActions, stderrFd, 2), "posix_spawn_file_actions_adddup2");
            SpawnApi.Check(SpawnApi.FileActionsAddChdir(FileActions, Utf8(info.WorkingDirectory)), "posix_spawn_file_actions_addchdir_np");
            SpawnApi.Check(SpawnApi.FileActionsAddClosefrom(FileActions, 3), "posix_spawn_file_actions_addclosefrom_np");

            Attributes = Alloc(SpawnApi.SpawnObjectSize);
            SpawnApi.Check(SpawnApi.AttrInit(Attributes), "posix_spawnattr_init");
            _attributesReady = true;
            SpawnApi.Check(SpawnApi.AttrSetFlags(Attributes,
                SpawnApi.POSIX_SPAWN_SETSID | SpawnApi.POSIX_SPAWN_SETSIGMASK | SpawnApi.POSIX_SPAWN_SETSIGDEF),
                "posix_spawnattr_setflags");
            SpawnApi.Check(SpawnApi.AttrSetSigmask(Attributes, emptySet), "posix_spawnattr_setsigmask");
            SpawnApi.Check(SpawnApi.AttrSetSigdefault(Attributes, FullSignalSet), "posix_spawnattr_setsigdefault");


        }
        catch
        {
            Dispose();
            throw;
        }
    }

    internal byte* Path { get; }
    internal byte** Argv { get; }
    internal byte** Envp { get; }
    internal void* FileActions { get; }
    internal void* Attributes { get; }
    internal void* FullSignalSet { get; }

    /// <summary>Lays out a seccomp program (a sock_fprog and its instructions) for the launch thread.</summary>
    internal Seccomp.SockFprog* Program(Seccomp.SockFilter[] code)
    {
        var instructions = (Seccomp.SockFilter*)Alloc(code.Length * sizeof(Seccomp.SockFilter));
        code.CopyTo(new Span<Seccomp.SockFilter>(instructions, code.Length));
        var program = (Seccomp.SockFprog*)Alloc(sizeof(Seccomp.SockFprog));
        program->Length = checked((ushort)code.Length);
        program->Filter = instructions;
        return program;
    }

    /// <summary>Points the launch thread's context at everything laid out here.</summary>
    internal void FillIn(LaunchContext* context)
    {
        context->Path = Path;
        context->Argv = Argv;
        context->Envp = Envp;
        context->FileActions = FileActions;
        context->Attributes = Attributes;
    }

    public void Dispose()
    {
        if (_fileActionsReady) SpawnApi.FileActionsDestroy(FileActions);
        if (_attributesReady) SpawnApi.AttrDestroy(Attributes);
        _fileActionsReady = _attributesReady = false;
        foreach (nint allocation in _allocations) NativeMemory.Free((void*)allocation);
        _allocations.Clear();
    }

    private void* Alloc(int bytes)
    {
        void* memory = NativeMemory.AllocZeroed((nuint)bytes);
        _allocations.Add((nint)memory);
        return memory;
    }

    private byte* Utf8(string text, int offset = 0)
    {
        if (text.Contains('\0'))
        {
            throw new ArgumentException($"A launch string contains a NUL character: '{text.Replace("\0", "\\0")}'.");
        }
        int length = Encoding.UTF8.GetByteCount(text);
        byte* buffer = (byte*)Alloc(offset + length + 1) + offset;
        Encoding.UTF8.GetBytes(text, new Span<byte>(buffer, length));
        return buffer;
    }

    private byte** StringArray(List<string> items)
    {
        byte** array = (byte**)Alloc((items.Count + 1) * sizeof(byte*));
        for (int i = 0; i < items.Count; i++) array[i] = Utf8(items[i]);
        return array;
    }
}
