using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Dependencies;

/// <summary>
/// What the dynamic loader reads from an ELF file to load it and what it needs: its class and
/// machine (a library must match the program's), its interpreter, and its dynamic section.
/// </summary>
internal sealed class ElfImage
{
    // DT_FLAGS_1: the object asks the loader not to search the cache or the default directories.
    private const ulong DF_1_NODEFLIB = 0x800;

    // From <elf.h> and <linux/limits.h>: what ExtentsFit reads of the headers.
    private const int ElfHeader64 = 64;           // the 32-bit header (52 bytes) fits in it too
    private const int ProgramHeader32 = 32, ProgramHeader64 = 56;
    private const int SectionHeader32 = 40, SectionHeader64 = 64;
    private const byte ElfClass32 = 1, ElfClass64 = 2, ElfDataBigEndian = 2;
    private const uint PT_INTERP = 3, SHT_NULL = 0, SHT_NOBITS = 8;
    private const ulong PathMax = 4096;

    private ElfImage(Class elfClass, Machine machine, string? interpreter)
    {
        Class = elfClass;
        Machine = machine;
        Interpreter = interpreter;
    }

    public Class Class { get; }

    public Machine Machine { get; }

    /// <summary>PT_INTERP: the loader the kernel maps for a dynamically linked program.</summary>
    public string? Interpreter { get; }

    /// <summary>DT_NEEDED, in the order the loader loads them.</summary>
    public IReadOnlyList<string> Needed { get; private set; } = [];

    /// <summary>DT_RPATH, raw (before $ORIGIN and friends). Empty when there is a DT_RUNPATH: the loader ignores RPATH then.</summary>
    public IReadOnlyList<string> RPath { get; private set; } = [];

    /// <summary>DT_RUNPATH, raw.</summary>
    public IReadOnlyList<string> RunPath { get; private set; } = [];

    /// <summary>DT_SONAME: a later DT_NEEDED of this name is satisfied by this object.</summary>
    public string? SoName { get; private set; }

    /// <summary>Whether DT_NEEDED, DT_RPATH or DT_RUNPATH held more than <see cref="ProgramDependencies"/> follows: only the first are listed.</summary>
    public bool Truncated { get; private set; }

    /// <summary>DF_1_NODEFLIB.</summary>
    public bool NoDefaultLibraries { get; private set; }

    /// <summary>Whether a library of this class and machine can be loaded into a program of <paramref name="program"/>'s.</summary>
    public bool IsCompatibleWith(ElfImage program) => Class == program.Class && Machine == program.Machine;

    /// <summary>The image of <paramref name="path"/>, or null when it is not a readable ELF file.</summary>
    public static ElfImage? TryRead(string path)
    {
        try
        {
            // One non-blocking open, judged on the file opened: a FIFO is refused, even one put
            // there after a look at the path, and never waits for a writer.
            using FileStream? file = PlainFile.TryOpen(path, followLinks: true, long.MaxValue, out _, out _);
            if (file is null || !ExtentsFit(file, out Extent? interp)) return null;
            string? interpreter = interp is { } at ? ReadInterpreter(file, at) : null;
            file.Position = 0;
            if (!ELFReader.TryLoad(file, shouldOwnStream: false, out IELF elf)) return null;
            using (elf)
            {
                var image = new ElfImage(elf.Class, elf.Machine, interpreter);
                image.ReadDynamicSection(elf);
                return image;
            }
        }
        // Besides I/O errors, what ELFSharp throws for a malformed file (offsets and counts out of range).
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                                      or FormatException or IndexOutOfRangeException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>
    /// Only the PT_INTERP of <paramref name="path"/>, read from its program headers without loading
    /// the rest of the image (its sections, symbol tables): null when it has none or is not a
    /// readable ELF file.
    /// </summary>
    public static string? TryReadInterpreter(string path)
    {
        try
        {
            using FileStream? file = PlainFile.TryOpen(path, followLinks: true, long.MaxValue, out _, out _);
            return file is not null && ExtentsFit(file, out Extent? interp) && interp is { } at ? ReadInterpreter(file, at) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Where a segment lies in the file.
    private readonly record struct Extent(ulong Offset, ulong Size);

    // The kernel reads PT_INTERP up to its first NUL (ExtentsFit holds it within PATH_MAX).
    private static string ReadInterpreter(FileStream file, Extent at)
    {
        byte[] bytes = new byte[at.Size];
        file.Position = (long)at.Offset;
        file.ReadExactly(bytes);
        int end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    /// <summary>
    /// Whether every table and section the headers of <paramref name="file"/> describe lies within
    /// it. ELFSharp allocates what a header says a section holds before reading it, so a crafted
    /// size alone would cost gigabytes; checked here first, on the headers only. A PT_INTERP longer
    /// than PATH_MAX fails too: the kernel refuses to execute such a file (ENOEXEC). Gives where the
    /// first PT_INTERP lies, as the kernel uses the first.
    /// </summary>
    private static bool ExtentsFit(FileStream file, out Extent? interp)
    {
        interp = null;
        long length = file.Length;
        Span<byte> header = stackalloc byte[ElfHeader64];
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length
            || !header[..4].SequenceEqual("\u007FELF"u8) || header[4] is not (ElfClass32 or ElfClass64)) return false;
        var fields = new HeaderFields(Wide: header[4] == ElfClass64, BigEndian: header[5] == ElfDataBigEndian);
        bool wide = fields.Wide;
        ulong programHeaders = fields.Address(header, wide ? 32 : 28);
        ulong sectionHeaders = fields.Address(header, wide ? 40 : 32);
        int programHeaderSize = fields.Half(header, wide ? 54 : 42), programHeaderCount = fields.Half(header, wide ? 56 : 44);
        int sectionHeaderSize = fields.Half(header, wide ? 58 : 46), sectionHeaderCount = fields.Half(header, wide ? 60 : 48);

        Span<byte> entry = stackalloc byte[SectionHeader64];
        if (!TableFits(programHeaders, programHeaderSize, programHeaderCount, wide ? ProgramHeader64 : ProgramHeader32, length)) return false;
        for (int i = 0; i < programHeaderCount; i++)
        {
            Span<byte> ph = ReadEntry(file, programHeaders, programHeaderSize, i, entry[..(wide ? ProgramHeader64 : ProgramHeader32)]);
            ulong offset = fields.Address(ph, wide ? 8 : 4), size = fields.Address(ph, wide ? 32 : 16);
            if (!Fits(offset, size, length) || (fields.Word(ph, 0) == PT_INTERP && size > PathMax)) return false;
            if (fields.Word(ph, 0) == PT_INTERP) interp ??= new Extent(offset, size);
        }
        if (!TableFits(sectionHeaders, sectionHeaderSize, sectionHeaderCount, wide ? SectionHeader64 : SectionHeader32, length)) return false;
        for (int i = 0; i < sectionHeaderCount; i++)
        {
            Span<byte> sh = ReadEntry(file, sectionHeaders, sectionHeaderSize, i, entry[..(wide ? SectionHeader64 : SectionHeader32)]);
            // SHT_NOBITS takes no room in the file; SHT_NULL has no contents (section 0 may hold counts in its size).
            if (fields.Word(sh, 4) is SHT_NULL or SHT_NOBITS) continue;
            if (!Fits(fields.Address(sh, wide ? 24 : 16), fields.Address(sh, wide ? 32 : 20), length)) return false;
        }
        return true;
    }

    private static bool TableFits(ulong offset, int entrySize, int count, int minimumEntrySize, long length) =>
        count == 0 || (entrySize >= minimumEntrySize && Fits(offset, (ulong)entrySize * (ulong)count, length));

    private static bool Fits(ulong offset, ulong size, long length) => offset <= (ulong)length && size <= (ulong)length - offset;

    private static Span<byte> ReadEntry(FileStream file, ulong table, int entrySize, int index, Span<byte> buffer)
    {
        file.Position = (long)table + (long)entrySize * index;
        file.ReadExactly(buffer);
        return buffer;
    }

    // The header fields read here, in the file's byte order: Half 16 bits, Word 32, Address 32 or 64 by class.
    private readonly record struct HeaderFields(bool Wide, bool BigEndian)
    {
        public int Half(ReadOnlySpan<byte> data, int at) =>
            BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(data[at..]);

        public uint Word(ReadOnlySpan<byte> data, int at) =>
            BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[at..]);

        public ulong Address(ReadOnlySpan<byte> data, int at) =>
            !Wide ? Word(data, at)
            : BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(data[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(data[at..]);
    }

    // The strings come from .dynstr by name. The loader finds them through DT_STRTAB and the
    // program headers instead; a file stripped of its section headers (sstrip) is left out here
    // and reads as needing nothing.
    private void ReadDynamicSection(IELF elf)
    {
        IDynamicSection? dynamic = elf.GetSections<IDynamicSection>().FirstOrDefault();
        if (dynamic is null || !elf.TryGetSection(".dynstr", out ISection section) || section is not IStringTable strings) return;
        var needed = new List<string>();
        var rpath = new List<string>();
        var runpath = new List<string>();
        foreach (IDynamicEntry entry in dynamic.Entries)
        {
            ulong value = entry switch
            {
                DynamicEntry<ulong> wide => wide.Value,
                DynamicEntry<uint> narrow => narrow.Value,
                _ => 0,
            };
            switch (entry.Tag)
            {
                case DynamicTag.Needed:
                    Truncated |= !AddCapped(needed, [strings[(long)value]], ProgramDependencies.MaxNeeded);
                    break;
                case DynamicTag.RPath:
                    Truncated |= !AddCapped(rpath, SearchList(strings[(long)value]), ProgramDependencies.MaxSearchDirectories);
                    break;
                case DynamicTag.RunPath:
                    Truncated |= !AddCapped(runpath, SearchList(strings[(long)value]), ProgramDependencies.MaxSearchDirectories);
                    break;
                case DynamicTag.SoName:
                    SoName = strings[(long)value];
                    break;
                case DynamicTag.Flags1:
                    NoDefaultLibraries = (value & DF_1_NODEFLIB) != 0;
                    break;
            }
        }
        Needed = needed;
        RunPath = runpath;
        RPath = runpath.Count > 0 ? [] : rpath;
    }

    // Adds what fits under the cap; false when something did not.
    private static bool AddCapped(List<string> list, string[] entries, int cap)
    {
        int room = cap - list.Count;
        list.AddRange(entries.Take(room));
        return entries.Length <= room;
    }

    // The loader splits DT_RPATH and DT_RUNPATH at colons only (LD_LIBRARY_PATH at semicolons too).
    // An empty element would mean the current directory: left out, as no packaged program relies on it.
    private static string[] SearchList(string value) => value.Split(':', StringSplitOptions.RemoveEmptyEntries);
}
