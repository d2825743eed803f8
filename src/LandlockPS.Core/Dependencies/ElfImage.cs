using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using ELFSharp.ELF.Segments;
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

    /// <summary>DF_1_NODEFLIB.</summary>
    public bool NoDefaultLibraries { get; private set; }

    /// <summary>Whether a library of this class and machine can be loaded into a program of <paramref name="program"/>'s.</summary>
    public bool IsCompatibleWith(ElfImage program) => Class == program.Class && Machine == program.Machine;

    /// <summary>The image of <paramref name="path"/>, or null when it is not a readable ELF file.</summary>
    public static ElfImage? TryRead(string path)
    {
        if (!PathHandles.IsRegularFile(path)) return null; // reading a FIFO would block
        try
        {
            if (!ELFReader.TryLoad(path, out IELF elf)) return null;
            using (elf)
            {
                ISegment? interp = elf.Segments.FirstOrDefault(s => s.Type == SegmentType.Interpreter);
                var image = new ElfImage(elf.Class, elf.Machine, interp is null ? null : Encoding.UTF8.GetString(interp.GetFileContents()).TrimEnd('\0'));
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
                    needed.Add(strings[(long)value]);
                    break;
                case DynamicTag.RPath:
                    rpath.AddRange(SearchList(strings[(long)value]));
                    break;
                case DynamicTag.RunPath:
                    runpath.AddRange(SearchList(strings[(long)value]));
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

    // The loader splits DT_RPATH and DT_RUNPATH at colons only (LD_LIBRARY_PATH at semicolons too).
    // An empty element would mean the current directory: left out, as no packaged program relies on it.
    private static string[] SearchList(string value) => value.Split(':', StringSplitOptions.RemoveEmptyEntries);
}
