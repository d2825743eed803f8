using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Dependencies;

/// <summary>One resolution of <see cref="ProgramDependencies"/>: what was found so far, and what went wrong.</summary>
internal sealed class DependencyWalk
{
    // What execve and the loader open: files they read and map, programs they execute. A library
    // is only read and mapped (Landlock does not check mapping for execution), but the loader is
    // both, and one rule kind for all keeps the listing plain.
    private const LandlockAccessFs Executable = LandlockAccessFs.ReadFile | LandlockAccessFs.Execute;

    // When PATH is unset, env(1) searches what glibc's execvp does.
    private const string DefaultSearchPath = "/bin:/usr/bin";

    // How many of the places a library was looked for a warning names.
    private const int SearchedShown = 4;

    private readonly string _program;
    private readonly IReadOnlyDictionary<string, string> _environment;
    // What the run's ruleset lets a sandbox write and read; null when the ruleset is not known.
    private readonly RuleReach? _writable;
    private readonly Lazy<RuleReach?> _readable;
    private readonly List<DependencyFile> _files = [];
    private readonly Dictionary<string, int> _fileIndex = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];
    private readonly Dictionary<string, string> _leftOut = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ElfImage?> _images = new(StringComparer.Ordinal);
    private readonly Lazy<LdSoCache> _cache = new(() => LdSoCache.Load());
    private readonly Lazy<Provenance> _cacheSource;
    private int _objects;

    internal DependencyWalk(string program, IReadOnlyDictionary<string, string> environment, LandlockRuleset? ruleset)
    {
        _program = program;
        _environment = environment;
        _writable = ruleset is null ? null : new RuleReach(ruleset, RuleReach.Writes);
        // A read rule counts only by the path it names without links, and only if no link a sandbox
        // could have planted is on its way: a link there for a moment must not make a private file
        // look readable already.
        // Only an untrusted name asks, and most walks meet none: each read rule's path is walked then.
        _readable = new(() => ruleset is null ? null : new RuleReach(ruleset, LandlockAccessFs.ReadFile, path => Resolve(path) is (string free, null) ? free : null));
        _cacheSource = new(CacheSource);
    }

    /// <summary>Walks from the program the caller named (trusted as a name: the caller chose it), once.</summary>
    internal ProgramDependencies Run()
    {
        AddProgram(_program, "the program itself", depth: 0, Provenance.Trusted);
        return new(_files, _problems, _leftOut);
    }

    /// <summary>
    /// A program the kernel executes, named with <paramref name="named"/>: the file, then its #!
    /// interpreter or its ELF dependencies.
    /// </summary>
    private void AddProgram(string path, string reason, int depth, Provenance named)
    {
        if (Grant(path, Executable, reason, named) is not { } granted) return;
        // What the file holds is read where the walk found it, by its path without links, never again
        // through its name: a link swapped in meanwhile would hand over another file's #! line.
        if (ExecutableInspector.ReadShebang(granted.Real) is { } shebang)
        {
            AddInterpreter(path, shebang, depth, granted.Source);
            return;
        }
        if (Read(granted.Real) is { } image)
        {
            AddElfProgram(path, image, granted.Source);
        }
        else if (ProcessApi.Access(granted.Real, ProcessApi.R_OK) != 0)
        {
            _problems.Add($"{path} ({reason}) cannot be read, so what it needs to run is unknown.");
        }
    }

    private void AddInterpreter(string script, Shebang shebang, int depth, Provenance source)
    {
        if (depth + 1 > ProgramDependencies.MaxInterpreterDepth)
        {
            _problems.Add($"{script} starts a chain of #! interpreters deeper than the kernel follows ({ProgramDependencies.MaxInterpreterDepth}); it cannot run.");
            return;
        }
        if (!Path.IsPathFullyQualified(shebang.Interpreter))
        {
            _problems.Add($"The #! line of {script} names '{shebang.Interpreter}', not an absolute path: it depends on the working directory and is left out.");
            return;
        }
        if (!KernelWouldExecute(shebang.Interpreter, $"the #! interpreter of {script}")) return;
        AddProgram(shebang.Interpreter, $"#! interpreter of {script}", depth + 1, source);
        if (Path.GetFileName(shebang.Interpreter) == "env" && EnvProgram(shebang.Argument) is { } name)
        {
            if (FindOnPath(name) is { } program)
            {
                AddProgram(program, $"{name}, run by {shebang.Interpreter} for {script}", depth + 1, source);
            }
            else
            {
                _problems.Add($"{name}, which the #! line of {script} runs through {shebang.Interpreter}, is not on the program's PATH.");
            }
        }
    }

    // The program env(1) runs: its first operand that is neither an option (nor the value of -u
    // NAME, -C DIR, -a ARG0, alone or ending a cluster such as -iu NAME, or of their long forms
    // --unset NAME, --chdir DIR, --argv0 ARG0; --chdir=DIR carries its own) nor NAME=value. With -S the kernel passes the whole rest of the line as one argument; env splits it.
    private static string? EnvProgram(string? argument)
    {
        string[] words = argument?.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries) ?? [];
        bool optionsEnded = false; // after --, a word starting with - is the program
        for (int i = 0; i < words.Length; i++)
        {
            if (!optionsEnded && words[i] == "--") optionsEnded = true;
            else if (!optionsEnded && (words[i] is "--unset" or "--chdir" or "--argv0" || TakesValue(words[i]))) i++;
            else if ((optionsEnded || !words[i].StartsWith('-')) && !words[i].Contains('=')) return words[i];
        }
        return null;
    }

    // The kernel opens an interpreter for execution: without execute permission it refuses to run
    // it. A file that names some other file as its interpreter (#!/etc/shadow) must not get that
    // file readable in the sandbox.
    private bool KernelWouldExecute(string interpreter, string what)
    {
        // What is missing or no file at all, Grant reports in its own words.
        if (ProcessApi.Access(interpreter, ProcessApi.X_OK) == 0 || !File.Exists(interpreter)) return true;
        LeaveOut(interpreter, $"{interpreter}, {what}, is not executable, so the kernel would not run it: no rule is added for it.");
        return false;
    }

    // A cluster of short options whose last one takes a value (-u NAME, -C DIR, -a ARG0: -iu NAME too).
    private static bool TakesValue(string word) =>
        word.Length >= 2 && word[0] == '-' && word[1] != '-' && word[^1] is 'u' or 'C' or 'a';

    private string? FindOnPath(string name)
    {
        if (name.Contains('/')) return Path.IsPathFullyQualified(name) && File.Exists(name) ? name : null;
        string path = _environment.TryGetValue("PATH", out string? value) ? value : DefaultSearchPath;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Where(Path.IsPathFullyQualified)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(candidate => File.Exists(candidate) && ProcessApi.Access(candidate, ProcessApi.X_OK) == 0);
    }

    /// <summary>
    /// What the loader opens for one program: its interpreter and cache, then the libraries
    /// breadth first, as the loader loads them. A name already loaded (by the name it was
    /// needed as, or its DT_SONAME) is not searched again, which also ends every cycle.
    /// </summary>
    private void AddElfProgram(string path, ElfImage image, Provenance source)
    {
        if (image.Interpreter is null) return; // statically linked: the kernel maps nothing else
        if (!Path.IsPathFullyQualified(image.Interpreter))
        {
            _problems.Add($"{path} names '{image.Interpreter}' as its ELF interpreter, not an absolute path: it depends on the working directory and is left out.");
            return;
        }
        // Without its interpreter the program cannot start: its libraries would be granted for nothing.
        if (!KernelWouldExecute(image.Interpreter, $"the ELF interpreter of {path}") || Grant(image.Interpreter, Executable, $"ELF interpreter of {path}", source) is null) return;
        var program = new LoadedObject(path, image, loader: null, source);
        // The loader is loaded before anything else, under its path and its DT_SONAME.
        var loaded = new HashSet<string>(StringComparer.Ordinal) { image.Interpreter };
        if (Read(image.Interpreter) is { SoName: { } loaderName }) loaded.Add(loaderName);
        if (File.Exists(LdSoCache.DefaultPath)) Grant(LdSoCache.DefaultPath, LandlockAccessFs.ReadFile, $"the library cache the loader of {path} reads", Provenance.Trusted);

        var search = new LibrarySearch(program, _environment.GetValueOrDefault("LD_LIBRARY_PATH"), _cache.Value, Read);
        var realPaths = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<LoadedObject>([program]);
        while (queue.TryDequeue(out LoadedObject? current))
        {
            if (current.Image.Truncated)
            {
                _problems.Add($"{current.Path} names more than {ProgramDependencies.MaxNeeded} libraries or {ProgramDependencies.MaxSearchDirectories} search directories; only the first were followed.");
            }
            foreach (string needed in current.Image.Needed)
            {
                if (loaded.Contains(needed)) continue;
                if (Locate(needed, current, search) is not { } found) continue;
                // The same file under another name (a link) is the same object to the loader.
                string real = PathLookup.RealPath(found.Path, out _) ?? found.Path;
                bool first = !realPaths.Contains(real);
                if (first && !WithinCap(path)) return;
                realPaths.Add(real);
                loaded.Add(needed);
                if (found.Image.SoName is { } soName) loaded.Add(soName);
                if (Grant(found.Path, Executable, $"{needed} needed by {current.Path}", found.Named) is not { } library) continue;
                // Its own needs are read from where the walk found it (see AddProgram).
                if (first && Read(library.Real) is { } libraryImage) queue.Enqueue(new LoadedObject(found.Path, libraryImage, current, library.Source));
                // A CPU-specific build is the same library built differently: it needs what the plain one does.
                foreach (string variant in search.Variants(found.Path))
                {
                    Grant(variant, Executable, $"{needed} needed by {current.Path}, the build for CPUs that support {Path.GetFileName(Path.GetDirectoryName(variant))}", found.Named);
                }
            }
        }
    }

    // Where the library `needed` lies, and who chose that place: the object that needs it, or the
    // library cache where the cache gave it.
    private (string Path, ElfImage Image, Provenance Named)? Locate(string needed, LoadedObject current, LibrarySearch search)
    {
        if (needed.Contains('/'))
        {
            // A name with a slash is opened as it is (after $ORIGIN and the like), never searched.
            string direct = LibrarySearch.ExpandTokens(needed, current);
            if (Path.IsPathFullyQualified(direct) && Read(direct) is { } image) return (direct, image, current.Source);
            _problems.Add($"{needed}, needed by {current.Path}, is not a readable ELF file at an absolute path.");
            return null;
        }
        var searched = new List<string>();
        if (search.Find(needed, current, searched) is { } found)
        {
            // A name an untrusted object chose stays untrusted, whoever wrote the cache.
            Provenance named = found.FromCache && current.Source.Place is null ? _cacheSource.Value : current.Source;
            return (found.Path, found.Image, named);
        }
        _problems.Add($"{needed}, needed by {current.Path}, was not found (looked in {Abbreviate(searched)}): the program will fail to load it.");
        return null;
    }

    // The first few places looked at: enough to see where the search went, and a warning stays a
    // sentence however long the search path.
    private static string Abbreviate(List<string> searched) =>
        searched.Count <= SearchedShown
            ? string.Join(", ", searched)
            : $"{string.Join(", ", searched.Take(SearchedShown))} and {searched.Count - SearchedShown} more";

    // Counts across the whole walk (an interpreter's libraries too); reported once, when first reached.
    private bool WithinCap(string program)
    {
        if (++_objects <= ProgramDependencies.MaxObjects) return true;
        if (_objects == ProgramDependencies.MaxObjects + 1)
        {
            _problems.Add($"{program} loads more than {ProgramDependencies.MaxObjects} libraries; the rest were not followed.");
        }
        return false;
    }

    private ElfImage? Read(string path)
    {
        if (!_images.TryGetValue(path, out ElfImage? image))
        {
            image = ElfImage.TryRead(path);
            _images[path] = image;
        }
        return image;
    }

    /// <summary>
    /// Allows <paramref name="path"/> as named, and where its links lead, if it is a regular file;
    /// anything else is a problem, never a rule (a crafted PT_INTERP of "/" must not open up a
    /// directory). Landlock attaches a rule to the inode the path resolves to when the rule is
    /// built, and checks only the file finally opened, never the links or directories on the way:
    /// either path alone works today. Both are kept so the ruleset, a description that outlives
    /// this moment, still means the file the program names after a link is moved to a new
    /// version, and shows where that leads now.
    /// Returns null when nothing was allowed, otherwise where the walk found the file and the
    /// provenance of what it names in turn.
    /// </summary>
    private Granted? Grant(string path, LandlockAccessFs access, string reason, Provenance named)
    {
        if (NotAFile(path) is { } why)
        {
            LeaveOut(path, $"{path} ({reason}) {why}: no rule is added for it.");
            return null;
        }
        // One walk, name by name, both finds the file and judges each link on the way: two lookups
        // could each see a different side of a link a sandbox swaps meanwhile.
        (string? resolved, string? untrustedLink) = Resolve(path);
        // Where the walk ends is what gets the rule: it must be a plain file there, reached without
        // a link (a magic link in /proc could name one file to open and another to readlink).
        if (resolved is not { } real || !IsPlainFileWithoutLinks(resolved))
        {
            LeaveOut(path, $"{path} ({reason}) cannot be followed to a plain file without a link in /proc or a loop of links: no rule is added for it.");
            return null;
        }
        // A name a sandbox could have chosen, or a link it could have planted on the way, may lead
        // anywhere: it is only followed to a file the sandbox gains nothing by reading, so the rule
        // cannot hand it a private file (a key, a private tool) it was never given.
        string? chosenAt = named.Place ?? untrustedLink;
        if (chosenAt is not null && !HarmlessToGrant(real))
        {
            LeaveOut(path, $"{path} ({reason}) was chosen by way of {chosenAt}, {named.Why ?? Provenance.MayBeWritten}, and leads to {real}, " +
                "which is not readable by every user nor by the ruleset already: no rule is added for it. Allow it with a path rule of your own if you trust it.");
            return null;
        }
        bool realTrusted = Trusted(Path.GetDirectoryName(real));
        // The program's own name is the caller's choice, as a path rule of theirs would be.
        Add(path, access, reason, swappable: path != _program && (untrustedLink is not null || real == path && !realTrusted));
        if (real != path) Add(real, access, $"{reason}, where {path} leads", swappable: real != _program && !realTrusted);
        return new Granted(chosenAt is not null || !realTrusted ? new Provenance(real) : AsNamer(real), real);
    }

    private readonly record struct Granted(Provenance Source, string Real);

    // The library cache names where libraries lie, as a RUNPATH does: what it names is trusted as
    // what a program names is, when the cache is a trusted file in a trusted folder.
    private Provenance CacheSource() =>
        Resolve(LdSoCache.DefaultPath) is (string real, null) && Trusted(Path.GetDirectoryName(real))
            ? AsNamer(real)
            : new Provenance(LdSoCache.DefaultPath);

    // What a file in a trusted folder names: trusted, unless the file itself is not (see UntrustedFile).
    private Provenance AsNamer(string file) => UntrustedFile(file) is { } doubt ? new Provenance(file, doubt) : Provenance.Trusted;

    // A file the program needs that gets no rule: a problem, and the reason a launch denied it gives.
    private void LeaveOut(string path, string problem)
    {
        _problems.Add(problem);
        _leftOut.TryAdd(path, problem);
    }

    // Whether what lies in `folder` can only have been put there by root or this user, outside any
    // sandbox: every folder above it is theirs alone (no link on the way, none others may write) and
    // the ruleset the program runs under may not write there. A file elsewhere may have been written
    // by a sandbox, and what it names (its #! line, its libraries) chosen by it.
    private bool Trusted(string? folder) => folder is not null && FileOwner.IsPrivateFolder(folder) && _writable?.Reach(folder) != true;

    // The file itself too: root's or this user's, writable by no group or other user, and out of the
    // ruleset's reach. A file with a second hard link may be written through it, and that name can lie
    // anywhere on its file system, where no walk from this one finds it: such a file is trusted only
    // under a ruleset that writes nowhere. (A sandbox cannot make such a link without Refer on the
    // file's folder; the caller can, with ln or cp -al.) Null when trusted, otherwise why not, in
    // words a warning ends with.
    private string? UntrustedFile(string file)
    {
        if (!FileOwner.IsPrivateFile(file, out uint names) || _writable?.Reach(file) == true) return Provenance.MayBeWritten;
        return names > 1 && _writable?.ReachesNothing == false ? "which has another hard link, through which a sandbox that may write could have written it" : null;
    }

    // Resolves `path` name by name, as the kernel does: the path it leads to, without links, and the
    // first link met on the way that lies in an untrusted folder (null when every link lies in a
    // trusted one: /lib64 in /, say). Whatever a concurrent swap makes of the names, the answer is one
    // consistent view; a launch then holds the rule on that link-free path, opened without following any.
    // Null for the path when the names cannot be followed as text: a loop, or a link in /proc (magic:
    // what the kernel opens through it need not be what readlink says).
    private (string? Real, string? UntrustedLink) Resolve(string path)
    {
        var names = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        string folder = "/"; // no link in it: each is resolved before going on
        string? untrusted = null;
        int links = 0;
        while (names.TryPop(out string? name))
        {
            if (name == ".") continue;
            if (name == "..")
            {
                folder = Path.GetDirectoryName(folder) ?? "/";
                continue;
            }
            string next = Path.Combine(folder, name);
            if (PathLookup.ReadLink(next, out _) is not { } target)
            {
                folder = next;
                continue;
            }
            if (++links > PathLookup.MaxSymlinks || folder == "/proc" || folder.StartsWith("/proc/", StringComparison.Ordinal)) return (null, next);
            if (!Trusted(folder)) untrusted ??= next;
            if (target.StartsWith('/')) folder = "/";
            foreach (string part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) names.Push(part);
        }
        return (folder, untrusted);
    }

    // A file the sandbox learns nothing from: one every user may read, one its ruleset already lets
    // it read, or one already allowed by a trusted name.
    private bool HarmlessToGrant(string file) =>
        FileOwner.IsPublic(file) || _readable.Value?.Reach(file) == true || _fileIndex.ContainsKey(file);

    private static bool IsPlainFileWithoutLinks(string path)
    {
        using SafePathHandle? handle = PathHandles.TryOpenPlainFile(path);
        return handle is not null;
    }

    // Judged on a descriptor opened as the rule will be (O_PATH: no read right needed, and a FIFO
    // or device is not opened at all), so it is the very inode the rule would attach to.
    private static string? NotAFile(string path)
    {
        using SafePathHandle? handle = PathHandles.TryOpen(path, out int errno);
        if (handle is null) return errno is Errno.ENOENT or Errno.ENOTDIR ? "does not exist" : $"cannot be opened by this session ({Errno.Name(errno)})";
        return PathHandles.IsRegularFile(handle) ? null : "is not a regular file";
    }

    private void Add(string path, LandlockAccessFs access, string reason, bool swappable)
    {
        if (_fileIndex.TryGetValue(path, out int index))
        {
            DependencyFile known = _files[index];
            if ((known.Access | access) != known.Access) _files[index] = known with { Access = known.Access | access };
            return;
        }
        _fileIndex[path] = _files.Count;
        _files.Add(new DependencyFile(path, access, reason) { Swappable = swappable });
    }
}
