using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using LandlockPS.Core.Native;
using ELFSharp.ELF;

namespace LandlockPS.Core.Dependencies;

/// <summary>
/// /etc/ld.so.cache as glibc 2.32 and later write it ("glibc-ld.so.cache1.1"): library names
/// mapped to paths, each tagged with the ABI it was built for. An older file (the "ld.so-1.7.0"
/// format, with or without the new one appended) reads as empty: those glibc versions are gone.
/// </summary>
internal sealed class LdSoCache
{
    internal const string DefaultPath = "/etc/ld.so.cache";

    private const string Magic = "glibc-ld.so.cache1.1";
    private const int HeaderSize = 48;   // magic and version, nlibs, len_strings, flags, padding, extension offset, unused
    private const int EntrySize = 24;    // flags, key, value, osversion, hwcap
    private const int FlagElfLibc6 = 0x0003;
    private const int FlagTypeMask = 0x00ff;
    private const int FlagRequiredMask = 0xff00;
    private const byte LittleEndian = 2;
    private const byte BigEndian = 3;

    private readonly List<(string Name, string Path, int Abi)> _entries;

    private LdSoCache(List<(string, string, int)> entries) => _entries = entries;

    public static LdSoCache Empty { get; } = new([]);

    // A real cache is tens of kilobytes to a few megabytes.
    private const long MaxBytes = 64 << 20;

    /// <summary>The cache at <paramref name="path"/>; empty if it is missing, unreadable or in a format this does not read.</summary>
    public static LdSoCache Load(string path = DefaultPath)
    {
        try
        {
            // Judged on the opened file: a FIFO there must not hang the session, nor a huge file fill it.
            using FileStream? stream = PlainFile.TryOpen(path, followLinks: true, MaxBytes, out _, out _);
            if (stream is null) return Empty;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.Length > MaxBytes ? Empty : Parse(memory.GetBuffer().AsSpan(0, (int)memory.Length));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Empty;
        }
    }

    internal static LdSoCache Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize || Encoding.ASCII.GetString(data[..Magic.Length]) != Magic) return Empty;
        bool bigEndian = data[28] switch
        {
            BigEndian => true,
            LittleEndian => false,
            _ => !BitConverter.IsLittleEndian, // written before the flag existed: the host's order
        };
        uint count = ReadUInt32(data[20..], bigEndian);
        if (count > (uint)((data.Length - HeaderSize) / EntrySize)) return Empty;
        var entries = new List<(string, string, int)>((int)count);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = data.Slice(HeaderSize + i * EntrySize, EntrySize);
            int flags = (int)ReadUInt32(entry, bigEndian);
            ulong hwcap = bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(entry[16..]) : BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]);
            // Entries with hwcap bits point into glibc-hwcaps subdirectories (x86-64-v3 and the
            // like); the loader prefers them only where the CPU qualifies. Left out: every such
            // library also has a plain entry, which is what is granted.
            if ((flags & FlagTypeMask) != FlagElfLibc6 || hwcap != 0) continue;
            string? name = ReadString(data, ReadUInt32(entry[4..], bigEndian));
            string? file = ReadString(data, ReadUInt32(entry[8..], bigEndian));
            // ldconfig writes absolute paths; a relative one would be opened from the program's
            // working directory, which nothing here knows: left out.
            if (name is not null && file is not null && Path.IsPathFullyQualified(file)) entries.Add((name, file, flags & FlagRequiredMask));
        }
        return new LdSoCache(entries);
    }

    /// <summary>Every library path the cache holds.</summary>
    public IEnumerable<string> Paths => _entries.Select(e => e.Path);

    /// <summary>Paths the cache gives for <paramref name="name"/> for programs of this class and machine, best first.</summary>
    public IEnumerable<string> Lookup(string name, Class elfClass, Machine machine)
    {
        int? abi = AbiFlag(elfClass, machine);
        foreach ((string entryName, string path, int entryAbi) in _entries)
        {
            // An ABI this table does not know: any entry may do; the caller checks the file's own header.
            if (entryName == name && (abi is null || abi == entryAbi)) yield return path;
        }
    }

    // glibc's FLAG_*_LIB64 and friends (sysdeps/generic/ldconfig.h): the ABI a library was built for.
    // 32-bit x86 and other "plain" ABIs carry none.
    private static int? AbiFlag(Class elfClass, Machine machine) => (machine, elfClass) switch
    {
        (Machine.AMD64, Class.Bit64) => 0x0300,
        (Machine.AMD64, Class.Bit32) => 0x0800,   // x32
        (Machine.Intel386, _) => 0x0000,
        (Machine.AArch64, _) => 0x0a00,
        (Machine.PPC64, _) => 0x0500,
        (Machine.S390, Class.Bit64) => 0x0400,
        (RiscV, Class.Bit64) => 0x1000,           // double-float, what distributions ship
        _ => null,
    };

    // EM_RISCV, newer than ELFSharp's list of machines.
    internal const Machine RiscV = (Machine)243;

    private static uint ReadUInt32(ReadOnlySpan<byte> data, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data) : BinaryPrimitives.ReadUInt32LittleEndian(data);

    // Offsets count from the start of the file; strings end with NUL.
    private static string? ReadString(ReadOnlySpan<byte> data, uint offset)
    {
        if (offset >= data.Length) return null;
        ReadOnlySpan<byte> rest = data[(int)offset..];
        int end = rest.IndexOf((byte)0);
        return end < 0 ? null : Encoding.UTF8.GetString(rest[..end]);
    }
}
