using System;
using System.Collections.Generic;

namespace LandlockPS.Core.Native;

/// <summary>
/// One test of a system call argument, on one 32-bit half of its register. An int argument
/// (a socket domain, memfd flags) is judged on its low half only: the kernel reads no more of it.
/// </summary>
internal readonly record struct ArgTest(int Index, bool HighHalf, uint Mask, uint Value, bool AnyBitSet)
{
    /// <summary>The low 32 bits equal <paramref name="value"/>.</summary>
    internal static ArgTest Equal(int index, uint value) => new(index, false, uint.MaxValue, value, false);

    /// <summary>The low 32 bits, masked, equal <paramref name="value"/>.</summary>
    internal static ArgTest MaskedEqual(int index, uint mask, uint value) => new(index, false, mask, value, false);

    /// <summary>Any of <paramref name="bits"/> is set in the low 32 bits.</summary>
    internal static ArgTest AnySet(int index, uint bits) => new(index, false, bits, 0, true);

    /// <summary>The whole 64-bit register equals <paramref name="value"/> (a pointer).</summary>
    internal static IEnumerable<ArgTest> Equal64(int index, ulong value) =>
        [new(index, false, uint.MaxValue, (uint)value, false), new(index, true, uint.MaxValue, (uint)(value >> 32), false)];
}

/// <summary>What a filter returns for a call (SECCOMP_RET_*).</summary>
internal static class SeccompAction
{
    internal const uint Allow = Seccomp.RetAllow;
    internal const uint Notify = Seccomp.RetUserNotif;
    internal const uint KillProcess = Seccomp.RetKillProcess;

    internal static uint Fail(int errno) => Seccomp.RetErrno | (uint)(errno & 0xFFFF);
}

/// <summary>
/// Builds a classic BPF seccomp program from rules "this call, with these arguments, gets this
/// action"; every call no rule matches is allowed. The program checks the architecture first, and
/// calls made through another ABI get one action of their own (where that allows them, the calls
/// judged in every ABI get theirs there too). Rules of one call are tried in the order they were added.
/// </summary>
internal sealed class SeccompFilterBuilder
{
    private const ushort LoadWordAbsolute = 0x20; // BPF_LD | BPF_W | BPF_ABS
    private const ushort JumpEqual = 0x15;         // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort JumpGreaterEqual = 0x35;  // BPF_JMP | BPF_JGE | BPF_K
    private const ushort JumpAnySet = 0x45;        // BPF_JMP | BPF_JSET | BPF_K
    private const ushort AndConstant = 0x54;       // BPF_ALU | BPF_AND | BPF_K
    private const ushort Return = 0x06;            // BPF_RET | BPF_K
    private const int MaxInstructions = 4096;      // BPF_MAXINSNS

    private readonly SyscallTable _table;
    private readonly List<(int Syscall, List<(ArgTest[] Tests, uint Action)> Rules)> _calls = [];
    // Calls judged by number through whatever ABI they come, where other ABIs are allowed at all.
    private readonly List<(int Syscall, uint Action)> _everyAbi = [];
    private uint _otherAbis = SeccompAction.Allow;

    internal SeccompFilterBuilder(SyscallTable table) => _table = table;

    /// <summary>True while no rule was added: such a filter would change nothing.</summary>
    internal bool IsEmpty => _calls.Count == 0;

    /// <summary>The action for every call made through another ABI than this process's own.</summary>
    internal SeccompFilterBuilder OtherAbis(uint action)
    {
        _otherAbis = action;
        return this;
    }

    /// <summary>
    /// Gives <paramref name="syscall"/> <paramref name="action"/> through every ABI: natively (before
    /// any rule added later) and through the others, where they are not all refused already. Only for
    /// calls with one number everywhere, as every call since Linux 5.1 (424 and up) has.
    /// </summary>
    internal SeccompFilterBuilder OnEveryAbi(int syscall, uint action)
    {
        if (syscall < SyscallTable.FirstSharedNumber) throw new ArgumentOutOfRangeException(nameof(syscall), syscall, "Only calls from 424 on have one number in every ABI.");
        _everyAbi.Add((syscall, action));
        return On(syscall, action);
    }

    /// <summary>Adds a rule: <paramref name="syscall"/>, when every test holds (always, with none), gets <paramref name="action"/>.</summary>
    internal SeccompFilterBuilder On(int syscall, uint action, params IEnumerable<ArgTest> when)
    {
        int at = _calls.FindIndex(c => c.Syscall == syscall);
        if (at < 0)
        {
            _calls.Add((syscall, []));
            at = _calls.Count - 1;
        }
        _calls[at].Rules.Add(([.. when], action));
        return this;
    }

    internal Seccomp.SockFilter[] Build()
    {
        List<Seccomp.SockFilter> otherAbi = OtherAbiBlock(0);
        var code = new List<Seccomp.SockFilter> { Load(Seccomp.DataArch), Jump(JumpEqual, _table.AuditArch, Offset(otherAbi.Count + 1), 0), Load(Seccomp.DataNr) };
        code.AddRange(otherAbi);
        code.Add(Load(Seccomp.DataNr));
        if (_table.HasX32)
        {
            List<Seccomp.SockFilter> x32 = OtherAbiBlock(SyscallTable.X32SyscallBit);
            code.Add(Jump(JumpGreaterEqual, SyscallTable.X32SyscallBit, 0, Offset(x32.Count)));
            code.AddRange(x32);
        }
        foreach ((int syscall, List<(ArgTest[] Tests, uint Action)> rules) in _calls)
        {
            List<Seccomp.SockFilter> block = Block(rules);
            code.Add(Jump(JumpEqual, (uint)syscall, 0, Offset(block.Count)));
            code.AddRange(block);
        }
        code.Add(Ret(SeccompAction.Allow));
        if (code.Count > MaxInstructions) throw new InvalidOperationException($"A seccomp filter of {code.Count} instructions is over the kernel's limit.");
        return [.. code];
    }

    // What a call through another ABI gets, its number loaded: its own action if it is one of the
    // calls judged everywhere (their numbers there carry <paramref name="abiBit"/>, x32's), else the
    // other ABIs' action. Every path returns.
    private List<Seccomp.SockFilter> OtherAbiBlock(uint abiBit)
    {
        var block = new List<Seccomp.SockFilter>();
        if (_otherAbis == SeccompAction.Allow)
        {
            foreach ((int syscall, uint action) in _everyAbi)
            {
                block.Add(Jump(JumpEqual, (uint)syscall | abiBit, 0, 1));
                block.Add(Ret(action));
            }
        }
        block.Add(Ret(_otherAbis));
        return block;
    }

    // The rules of one call, each ending in its action; a failed test jumps to the next rule, and
    // after the last one the call is allowed. Every path returns, so the accumulator is free to use.
    private static List<Seccomp.SockFilter> Block(List<(ArgTest[] Tests, uint Action)> rules)
    {
        var block = new List<Seccomp.SockFilter>();
        foreach ((ArgTest[] tests, uint action) in rules)
        {
            var rule = new List<Seccomp.SockFilter>();
            var failJumps = new List<int>();
            foreach (ArgTest test in tests)
            {
                rule.Add(Load(Seccomp.DataArgs + (uint)(8 * test.Index) + (test.HighHalf ? 4u : 0u)));
                if (test.AnyBitSet)
                {
                    rule.Add(Jump(JumpAnySet, test.Mask, 0, 0));
                }
                else
                {
                    if (test.Mask != uint.MaxValue) rule.Add(new Seccomp.SockFilter { Code = AndConstant, K = test.Mask });
                    rule.Add(Jump(JumpEqual, test.Value, 0, 0));
                }
                failJumps.Add(rule.Count - 1);
            }
            rule.Add(Ret(action));
            foreach (int at in failJumps)
            {
                Seccomp.SockFilter jump = rule[at];
                jump.JumpFalse = Offset(rule.Count - at - 1);
                rule[at] = jump;
            }
            block.AddRange(rule);
        }
        block.Add(Ret(SeccompAction.Allow));
        return block;
    }

    private static byte Offset(int instructions) =>
        instructions <= byte.MaxValue ? (byte)instructions : throw new InvalidOperationException("A seccomp rule block is too long for a classic BPF jump.");

    private static Seccomp.SockFilter Load(uint offset) => new() { Code = LoadWordAbsolute, K = offset };

    private static Seccomp.SockFilter Jump(ushort code, uint k, byte jumpTrue, byte jumpFalse) =>
        new() { Code = code, K = k, JumpTrue = jumpTrue, JumpFalse = jumpFalse };

    private static Seccomp.SockFilter Ret(uint action) => new() { Code = Return, K = action };
}
