using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ELFSharp.ELF;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Dependencies;

/// <summary>An object loaded into a program: where it was found, and which object's DT_NEEDED brought it in first.</summary>
internal sealed class LoadedObject
{
    public LoadedObject(string path, ElfImage image, LoadedObject? loader, Provenance source)
    {
        Path = path;
        Image = image;
        Loader = loader;
        Source = source;
        // glibc takes the program's origin from /proc/self/exe (links resolved) and a library's
        // from the path it was opened by (links kept).
        string located = loader is null ? PathLookup.RealPath(path, out _) ?? path : path;
        Origin = System.IO.Path.GetDirectoryName(located) ?? "/";
    }

    public string Path { get; }

    public ElfImage Image { get; }

    public LoadedObject? Loader { get; }

    /// <summary>Where what this object names (its libraries, its search paths) was chosen.</summary>
    public Provenance Source { get; }

    /// <summary>What $ORIGIN stands for in this object's search paths.</summary>
    public string Origin { get; }
}

/// <summary>
/// Where glibc's loader looks for a DT_NEEDED name, in its order: DT_RPATH of the object and of
/// the objects that loaded it, up to the program (only when the object has no DT_RUNPATH);
/// LD_LIBRARY_PATH; the object's own DT_RUNPATH (never inherited); /etc/ld.so.cache; the default
/// directories (these two skipped for an object flagged DF_1_NODEFLIB). Candidates of another
/// class or machine are passed over, as the loader does.
/// The glibc-hwcaps subdirectories the loader tries first in each directory (builds for newer
/// CPUs, such as x86-64-v3) are not searched: the plain library found here always works, as the
/// loader goes on to it when it may not open a variant. <see cref="Variants"/> lists the variants
/// beside a library, so a sandboxed program can load the same build as an unconfined one.
/// Left out entirely: the legacy subdirectories (tls, x86_64, haswell) that glibc 2.37 dropped.
/// </summary>
internal sealed class LibrarySearch
{
    private readonly ElfImage _program;
    private readonly IReadOnlyList<string> _libraryPath;
    private readonly LdSoCache _cache;
    private readonly Func<string, ElfImage?> _read;

    /// <param name="program">The program's own object: the class and machine every library must match.</param>
    /// <param name="libraryPath">LD_LIBRARY_PATH as the program will see it, or null.</param>
    /// <param name="cache">The system's /etc/ld.so.cache.</param>
    /// <param name="read">Reads an ELF file, or null where it is none.</param>
    public LibrarySearch(LoadedObject program, string? libraryPath, LdSoCache cache, Func<string, ElfImage?> read)
    {
        _program = program.Image;
        _cache = cache;
        _read = read;
        // The loader splits LD_LIBRARY_PATH at semicolons too, and expands it with the program's origin.
        _libraryPath = Expand((libraryPath ?? string.Empty).Split([':', ';'], StringSplitOptions.RemoveEmptyEntries), program).ToList();
    }

    /// <summary>
    /// The first loadable file for <paramref name="name"/> needed by <paramref name="loader"/>, and
    /// whether the library cache named it; every place looked at goes to <paramref name="searched"/>.
    /// </summary>
    public (string Path, ElfImage Image, bool FromCache)? Find(string name, LoadedObject loader, List<string> searched)
    {
        foreach (string directory in Directories(loader))
        {
            string candidate = Path.Combine(directory, name);
            searched.Add(candidate);
            if (Loadable(candidate) is { } image) return (candidate, image, false);
        }
        if (loader.Image.NoDefaultLibraries) return null;
        searched.Add($"{LdSoCache.DefaultPath} entries for {name}");
        foreach (string cached in _cache.Lookup(name, _program.Class, _program.Machine))
        {
            if (Loadable(cached) is { } image) return (cached, image, true);
        }
        foreach (string directory in DefaultDirectories(_program))
        {
            string candidate = Path.Combine(directory, name);
            searched.Add(candidate);
            if (Loadable(candidate) is { } image) return (candidate, image, false);
        }
        return null;
    }

    /// <summary>
    /// Builds of <paramref name="library"/> for newer CPUs, in glibc-hwcaps subdirectories of its
    /// directory, that a program of this class and machine could load. All of them: which ones the
    /// CPU supports is the loader's choice.
    /// </summary>
    public IEnumerable<string> Variants(string library)
    {
        string hwcaps = Path.Combine(Path.GetDirectoryName(library) ?? "/", "glibc-hwcaps");
        if (!Directory.Exists(hwcaps)) return [];
        string name = Path.GetFileName(library);
        try
        {
            return Directory.EnumerateDirectories(hwcaps)
                .Order(StringComparer.Ordinal)
                .Select(level => Path.Combine(level, name))
                .Where(variant => Loadable(variant) is not null)
                .ToList();
        }
        // A directory this session may not list is one the loader may not search either.
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>$ORIGIN, $LIB and $PLATFORM (bare or in braces) in <paramref name="entry"/>, as the loader would expand them for <paramref name="owner"/>.</summary>
    public static string ExpandTokens(string entry, LoadedObject owner)
    {
        if (!entry.Contains('$')) return entry;
        string expanded = entry;
        foreach ((string token, string? value) in new[]
        {
            ("ORIGIN", owner.Origin),
            ("LIB", LibToken(owner.Image)),
            ("PLATFORM", Platform(owner.Image)),
        })
        {
            // An unknown platform stays as written: such a directory does not exist, so nothing is found there.
            if (value is null) continue;
            expanded = expanded.Replace("${" + token + "}", value, StringComparison.Ordinal).Replace("$" + token, value, StringComparison.Ordinal);
        }
        return expanded;
    }

    private IEnumerable<string> Directories(LoadedObject loader)
    {
        if (loader.Image.RunPath.Count == 0)
        {
            // Every object here was loaded at start-up, so this chain always ends at the program
            // itself: the loader's extra look at the program's DT_RPATH is already part of it.
            for (LoadedObject? inChain = loader; inChain is not null; inChain = inChain.Loader)
            {
                foreach (string directory in Expand(inChain.Image.RPath, inChain)) yield return directory;
            }
        }
        foreach (string directory in _libraryPath) yield return directory;
        foreach (string directory in Expand(loader.Image.RunPath, loader)) yield return directory;
    }

    // A relative directory would be relative to the program's working directory when it runs,
    // which nothing here knows: left out, as packaged programs never rely on it.
    private static IEnumerable<string> Expand(IEnumerable<string> entries, LoadedObject owner) =>
        entries.Select(e => ExpandTokens(e, owner)).Where(Path.IsPathFullyQualified);

    private ElfImage? Loadable(string candidate) =>
        _read(candidate) is { } image && image.IsCompatibleWith(_program) ? image : null;

    /// <summary>
    /// The loader's built-in directories: the multiarch ones (Debian and its derivatives), the
    /// 64-bit ones (Fedora, SUSE), then /lib and /usr/lib. A distribution searches some of these
    /// only; one that has a directory it does not search holds no libraries of this class there.
    /// </summary>
    internal static IEnumerable<string> DefaultDirectories(ElfImage program)
    {
        if (MultiarchTriplet(program) is { } triplet)
        {
            yield return "/lib/" + triplet;
            yield return "/usr/lib/" + triplet;
        }
        if (program.Class == Class.Bit64)
        {
            yield return "/lib64";
            yield return "/usr/lib64";
        }
        yield return "/lib";
        yield return "/usr/lib";
    }

    // Debian's glibc expands $LIB to the multiarch directory; others to lib64 or lib.
    private static string LibToken(ElfImage image) =>
        MultiarchTriplet(image) is { } triplet && Directory.Exists("/usr/lib/" + triplet)
            ? "lib/" + triplet
            : image.Class == Class.Bit64 ? "lib64" : "lib";

    // What the kernel passes as AT_PLATFORM to a program of this machine.
    private static string? Platform(ElfImage image) => image.Machine switch
    {
        Machine.AMD64 when image.Class == Class.Bit64 => "x86_64",
        Machine.Intel386 => "i686",
        Machine.AArch64 => "aarch64",
        _ => null,
    };

    private static string? MultiarchTriplet(ElfImage image) => (image.Machine, image.Class) switch
    {
        (Machine.AMD64, Class.Bit64) => "x86_64-linux-gnu",
        (Machine.AMD64, Class.Bit32) => "x86_64-linux-gnux32",
        (Machine.Intel386, _) => "i386-linux-gnu",
        (Machine.AArch64, _) => "aarch64-linux-gnu",
        (Machine.ARM, _) => "arm-linux-gnueabihf",
        (Machine.PPC64, _) => "powerpc64le-linux-gnu",
        (Machine.S390, Class.Bit64) => "s390x-linux-gnu",
        (LdSoCache.RiscV, Class.Bit64) => "riscv64-linux-gnu",
        _ => null,
    };
}
