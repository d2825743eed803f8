using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using ELFSharp.ELF;
using LandlockPS.Core.Dependencies;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;
using LandlockPS.Core.Sandbox;
using Xunit;
using static LandlockPS.Tests.SandboxHarness;

namespace LandlockPS.Tests;

public class DependencyResolutionTests(LinkedPrograms programs) : IClassFixture<LinkedPrograms>
{
    private static readonly IReadOnlyDictionary<string, string> NoLibraryPath = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" };

    [Fact]
    public void FindsWhatTheRealLoaderLoadsForCurl()
    {
        ProgramDependencies deps = ProgramDependencies.Resolve("/usr/bin/curl", NoLibraryPath);
        IReadOnlyList<string> loaded = LddPaths("/usr/bin/curl");
        Assert.NotEmpty(loaded);
        var paths = deps.Files.Select(f => f.Path).ToHashSet();
        Assert.All(loaded, path => Assert.Contains(path, paths));
        Assert.Equal(loaded.Count, deps.Files.Count(f => f.Reason.Contains(" needed by ") && !f.Reason.Contains(" leads")));
        Assert.Empty(deps.Problems);
    }

    [Fact]
    public void GrantsTheProgramItsInterpreterAndTheCacheWithReasons()
    {
        ProgramDependencies deps = ProgramDependencies.Resolve("/usr/bin/curl", NoLibraryPath);
        string interpreter = ExecutableInspector.FindInterpreter("/usr/bin/curl")!;
        Assert.Equal(new DependencyFile("/usr/bin/curl", LandlockAccessFs.ReadFile | LandlockAccessFs.Execute, "the program itself"), deps.Files[0]);
        Assert.Contains(deps.Files, f => f.Path == interpreter && f.Reason == "ELF interpreter of /usr/bin/curl");
        Assert.Contains(deps.Files, f => f.Path == LdSoCache.DefaultPath && f.Access == LandlockAccessFs.ReadFile);
        Assert.Contains(deps.Files, f => f.Path.EndsWith("/libc.so.6") && f.Reason.StartsWith("libc.so.6 needed by "));
    }

    [Fact]
    public void GrantsALinkedPathAndWhereItLeads()
    {
        // /bin/sh is a link (to dash or bash); the rule on either path attaches to the same inode.
        string real = new FileInfo("/bin/sh").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? "/bin/sh";
        ProgramDependencies deps = ProgramDependencies.Resolve("/bin/sh", NoLibraryPath);
        Assert.Contains(deps.Files, f => f.Path == "/bin/sh");
        Assert.Contains(deps.Files, f => f.Path == real || f.Path.EndsWith(real, StringComparison.Ordinal));
    }

    [Fact]
    public void RunPathWithOriginAppliesToTheProgramsOwnNeedsOnly()
    {
        ProgramDependencies deps = ProgramDependencies.Resolve(programs.Program("app-runpath"), NoLibraryPath);
        // As the loader names it ($ORIGIN/../lib), and with the links and dots resolved.
        Assert.Contains(deps.Files, f => f.Path == programs.ViaOrigin("libmid.so") && f.Reason == $"libmid.so needed by {programs.Program("app-runpath")}");
        Assert.Contains(deps.Files, f => f.Path == programs.Library("libmid.so"));
        // libmid.so has no search path of its own and RUNPATH is not inherited: the loader fails too.
        string problem = Assert.Single(deps.Problems);
        Assert.StartsWith($"libleaf.so, needed by {programs.ViaOrigin("libmid.so")}, was not found", problem);
        Assert.NotEqual(0, RunUnconfined(programs.Program("app-runpath")));
    }

    [Fact]
    public void RPathIsInheritedByTheLibrariesItLoads()
    {
        ProgramDependencies deps = ProgramDependencies.Resolve(programs.Program("app-rpath"), NoLibraryPath);
        Assert.Empty(deps.Problems);
        Assert.Contains(deps.Files, f => f.Path == programs.ViaOrigin("libleaf.so") && f.Reason == $"libleaf.so needed by {programs.ViaOrigin("libmid.so")}");
    }

    [Fact]
    public void TheProgramsOriginIsWhereItsLinksLead()
    {
        // The loader takes the program's $ORIGIN from /proc/self/exe: a link elsewhere changes nothing.
        // (Elsewhere in the same private folder: a link in /tmp could be anyone's, see UntrustedNames.)
        string link = Path.Combine(Directory.CreateDirectory(Path.Combine(programs.Bin, "..", $"elsewhere-{Guid.NewGuid():n}")).FullName, "app");
        File.CreateSymbolicLink(link, programs.Program("app-rpath"));
        ProgramDependencies deps = ProgramDependencies.Resolve(link, NoLibraryPath);
        Assert.Empty(deps.Problems);
        Assert.Contains(deps.Files, f => f.Path == programs.ViaOrigin("libmid.so"));
        Assert.Equal(0, RunUnconfined(link));
    }

    [Fact]
    public void ExpandsLibAndPlatformAsThisLoaderDoes()
    {
        // What LD_DEBUG=libs shows Debian's x86-64 loader make of them.
        string program = programs.Program("app-rpath");
        var owner = new LoadedObject(program, ElfImage.TryRead(program)!, loader: null, Provenance.Trusted);
        Assert.Equal("/x/lib/x86_64-linux-gnu:/y/x86_64", LibrarySearch.ExpandTokens("/x/$LIB:/y/${PLATFORM}", owner));
        Assert.Equal(programs.Bin + "/../lib", LibrarySearch.ExpandTokens("${ORIGIN}/../lib", owner));
    }

    [Fact]
    public void LibraryPathComesFromTheGivenEnvironment()
    {
        string program = programs.Program("app-plain");
        Assert.Contains(ProgramDependencies.Resolve(program, NoLibraryPath).Problems, p => p.StartsWith("libmid.so, needed by "));
        var withPath = new Dictionary<string, string>(NoLibraryPath) { ["LD_LIBRARY_PATH"] = programs.Lib };
        ProgramDependencies deps = ProgramDependencies.Resolve(program, withPath);
        Assert.Empty(deps.Problems);
        Assert.Contains(deps.Files, f => f.Path == programs.Library("libleaf.so"));
    }

    [Fact]
    public void ADependencyCycleEndsWithEachLibraryOnce()
    {
        ProgramDependencies deps = ProgramDependencies.Resolve(programs.Program("app-cycle"), NoLibraryPath);
        Assert.Empty(deps.Problems);
        Assert.Single(deps.Files, f => f.Path == programs.Library("libcyca.so"));
        Assert.Single(deps.Files, f => f.Path == programs.Library("libcycb.so"));
        Assert.Equal(0, RunUnconfined(programs.Program("app-cycle")));
    }

    [Fact]
    public void AMissingLibraryIsAProblemNotAFailure()
    {
        ProgramDependencies deps = ProgramDependencies.Resolve(programs.Program("app-missing"), NoLibraryPath);
        string problem = Assert.Single(deps.Problems);
        Assert.StartsWith($"libgone.so, needed by {programs.Program("app-missing")}, was not found (looked in {programs.ViaOrigin("libgone.so")}, ", problem);
        Assert.Contains(deps.Files, f => f.Path.EndsWith("/libc.so.6"));
    }

    [Fact]
    public void TheResolvedFilesAloneLetTheProgramRunConfined()
    {
        var ruleset = new LandlockRuleset(LandlockAbi.V7);
        string program = programs.Program("app-rpath");
        foreach (DependencyFile file in ProgramDependencies.Resolve(program, NoLibraryPath).Files)
        {
            ruleset.AddPathRuleWithin(file.Path, file.Access, isDirectory: false);
        }
        Result run = Run(ruleset, program);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("42\n", run.Stdout);
        // Files only: no directory, not even the program's own, is opened up.
        Assert.All(ruleset.PathRules, rule => Assert.True(File.Exists(rule.Path), rule.Path));
    }

    // Landlock attaches a rule to the inode its path leads to when the rule is built, and checks
    // only the file finally opened, not the links and directories on the way: either set alone works.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EitherThePathsAsNamedOrWhereTheyLeadAreEnough(bool asNamed)
    {
        var ruleset = new LandlockRuleset(LandlockAbi.V7);
        string program = programs.Program("app-rpath");
        foreach (DependencyFile file in ProgramDependencies.Resolve(program, NoLibraryPath).Files.Where(f => !f.Reason.EndsWith(" leads")))
        {
            ruleset.AddPathRuleWithin(asNamed ? file.Path : PathLookup.RealPath(file.Path, out _)!, file.Access, isDirectory: false);
        }
        Assert.Contains(ruleset.PathRules, rule => rule.Path == (asNamed ? "/lib64/ld-linux-x86-64.so.2" : "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
        Assert.Equal("42\n", Run(ruleset, program).Stdout);
    }

    [Fact]
    public void AllowsTheCpuSpecificBuildsOfALibrarySoTheSameOneLoads()
    {
        string program = programs.Program("app-hwcaps");
        ProgramDependencies deps = ProgramDependencies.Resolve(program, NoLibraryPath);
        string variant = Path.Combine(programs.Bin, "..", "hwlib", "glibc-hwcaps", "x86-64-v2", "libhw.so");
        Assert.Contains(deps.Files, f => f.Path == variant && f.Reason.EndsWith("the build for CPUs that support x86-64-v2"));
        var ruleset = new LandlockRuleset(LandlockAbi.V7);
        foreach (DependencyFile file in deps.Files) ruleset.AddPathRuleWithin(file.Path, file.Access, isDirectory: false);
        Assert.Equal(RunUnconfinedOutput(program), Run(ruleset, program).Stdout);
    }

    [Fact]
    public void FollowsAShebangToItsInterpreterAndEnvToTheProgram()
    {
        using var t = new TempTree();
        string direct = Script(t, "direct.sh", "#!/bin/sh\necho hi\n");
        string viaEnv = Script(t, "env.sh", "#! /usr/bin/env  -S -u HOME --unset PATH --chdir /tmp --chdir=/ LANG=C sh -e\necho hi\n");

        ProgramDependencies deps = ProgramDependencies.Resolve(direct, NoLibraryPath);
        Assert.Equal(direct, deps.Files[0].Path);
        Assert.Contains(deps.Files, f => f.Path == "/bin/sh" && f.Reason == $"#! interpreter of {direct}");
        Assert.Contains(deps.Files, f => f.Path.EndsWith("/libc.so.6"));

        deps = ProgramDependencies.Resolve(viaEnv, NoLibraryPath);
        Assert.Contains(deps.Files, f => f.Path == "/usr/bin/env");
        Assert.Contains(deps.Files, f => f.Path == "/usr/bin/sh" && f.Reason == $"sh, run by /usr/bin/env for {viaEnv}");
        Assert.Empty(deps.Problems);
    }

    [Fact]
    public void AnInterpreterTheKernelWouldNotExecuteGetsNoRule()
    {
        // #!/etc/shadow must not make /etc/shadow readable in the sandbox: the kernel needs execute
        // permission on an interpreter, which a secret file does not have.
        using var t = new TempTree();
        string secret = t.File("secret", "not a program\n");
        string script = Script(t, "evil.sh", $"#!{secret}\n");
        string envScript = Script(t, "env.sh", "#!/usr/bin/env -iu HOME -a name sh\necho hi\n");

        ProgramDependencies deps = ProgramDependencies.Resolve(script, NoLibraryPath);

        Assert.Equal([script], deps.Files.Select(f => f.Path));
        Assert.Contains("is not executable", Assert.Single(deps.Problems));
        Assert.Equal(deps.Problems, [deps.LeftOut[secret]]);
        // The values of a cluster ending in -u, and of -a, are not the program env runs.
        deps = ProgramDependencies.Resolve(envScript, NoLibraryPath);
        Assert.Contains(deps.Files, f => f.Path == "/usr/bin/sh" && f.Reason.StartsWith("sh, run by", System.StringComparison.Ordinal));
        Assert.Empty(deps.Problems);
    }

    [Fact]
    public void AShebangLoopStopsAtTheKernelsDepth()
    {
        using var t = new TempTree();
        string self = Path.Combine(t.Root, "self");
        Script(t, "self", $"#!{self}\n");
        ProgramDependencies deps = ProgramDependencies.Resolve(self, NoLibraryPath);
        Assert.Single(deps.Files);
        Assert.Contains("deeper than the kernel follows", Assert.Single(deps.Problems));
    }

    [Fact]
    public void ReadsTheShebangLineAsTheKernelDoes()
    {
        using var t = new TempTree();
        Assert.Equal(new Shebang("/bin/sh", null), ExecutableInspector.ReadShebang(Script(t, "a", "#!/bin/sh\n")));
        Assert.Equal(new Shebang("/usr/bin/env", "python3 -u"), ExecutableInspector.ReadShebang(Script(t, "b", "#!\t/usr/bin/env   python3 -u  \nx")));
        Assert.Null(ExecutableInspector.ReadShebang(Script(t, "c", "#!\n")));
        Assert.Null(ExecutableInspector.ReadShebang("/usr/bin/curl"));
    }

    [Fact]
    public void TheLibraryCacheMapsNamesForThisMachineOnly()
    {
        LdSoCache cache = LdSoCache.Load();
        string libc = cache.Lookup("libc.so.6", Class.Bit64, Machine.AMD64).First();
        Assert.True(File.Exists(libc));
        Assert.Empty(cache.Lookup("libc.so.6", Class.Bit64, Machine.AArch64));
        Assert.Empty(cache.Lookup("no-such-library.so.0", Class.Bit64, Machine.AMD64));
    }

    [Fact]
    public void AnUnreadableOrForeignCacheIsEmpty()
    {
        Assert.Empty(LdSoCache.Parse(Encoding.ASCII.GetBytes("ld.so-1.7.0\0\0\0\0\0")).Lookup("libc.so.6", Class.Bit64, Machine.AMD64));
        byte[] truncated = File.ReadAllBytes(LdSoCache.DefaultPath)[..60];
        Assert.Empty(LdSoCache.Parse(truncated).Lookup("libc.so.6", Class.Bit64, Machine.AMD64));
        Assert.Empty(LdSoCache.Load("/nonexistent/ld.so.cache").Lookup("libc.so.6", Class.Bit64, Machine.AMD64));
        // Neither a FIFO (which would block the read) nor a device reads as a cache.
        using var tree = new TempTree();
        string fifo = System.IO.Path.Combine(tree.Root, "ld.so.cache");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        Assert.Empty(LdSoCache.Load(fifo).Lookup("libc.so.6", Class.Bit64, Machine.AMD64));
        Assert.Empty(LdSoCache.Load("/dev/zero").Lookup("libc.so.6", Class.Bit64, Machine.AMD64));
    }

    [Theory]
    [InlineData("/usr/bin/true")]
    [InlineData("/bin/sh")]
    [InlineData("/usr/lib/x86_64-linux-gnu/libc.so.6")] // a library that also runs as a program
    [InlineData("/etc/hostname")]                       // not ELF at all
    public void TheInterpreterAloneIsTheImagesWithoutReadingTheRest(string path)
    {
        Assert.Equal(ElfImage.TryRead(path)?.Interpreter, ElfImage.TryReadInterpreter(path));
        long before = GC.GetAllocatedBytesForCurrentThread();
        _ = ElfImage.TryReadInterpreter(path);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 << 10);
    }

    [Fact]
    public void AMalformedOrBlockingFileReadsAsNoImage()
    {
        using var t = new TempTree();
        byte[] elf = File.ReadAllBytes("/usr/bin/true");
        var random = new Random(7);
        string damaged = Path.Combine(t.Root, "damaged");
        for (int i = 0; i < 200; i++)
        {
            byte[] copy = elf[..random.Next(64, elf.Length)];
            for (int k = 0; k < 30; k++) copy[random.Next(4, Math.Min(4096, copy.Length))] = (byte)random.Next(256);
            File.WriteAllBytes(damaged, copy);
            // Neither must throw; where both read an image, they name the same interpreter.
            string? alone = ElfImage.TryReadInterpreter(damaged);
            if (ElfImage.TryRead(damaged) is { } image) Assert.Equal(image.Interpreter, alone);
        }
        string fifo = Path.Combine(t.Root, "fifo");
        Assert.Equal(0, RunUnconfined("/usr/bin/mkfifo", fifo));
        Assert.Null(ElfImage.TryRead(fifo));
        Assert.Null(ElfImage.TryReadInterpreter(fifo));
        Assert.Null(ExecutableInspector.ReadShebang(fifo));
    }

    [Theory]
    [InlineData("/", "is not a regular file")]
    [InlineData("/etc", "is not a regular file")]
    [InlineData("/nonexistent/ld.so", "does not exist")]
    [InlineData("lib64/ld-linux-x86-64.so.2", "not an absolute path")]
    public void AnInterpreterThatIsNotAnAbsoluteRegularFileIsAProblemNeverARule(string interpreter, string problem)
    {
        using var t = new TempTree();
        string program = Patched(t, "crafted", elf => WriteInterpreter(elf, interpreter));
        Assert.Equal(interpreter, ElfImage.TryRead(program)!.Interpreter);
        Assert.Equal(interpreter, ElfImage.TryReadInterpreter(program));

        ProgramDependencies deps = ProgramDependencies.Resolve(program, NoLibraryPath);
        Assert.Equal([program], deps.Files.Select(f => f.Path));
        Assert.Contains(problem, Assert.Single(deps.Problems));
    }

    // A header may claim any size; reading what it claims would cost that much memory (gigabytes
    // from a 35 kB file). Such a file reads as no image, for a few kilobytes.
    [Theory]
    [InlineData(true, PT_INTERP, 0x7fff_ffffUL)]   // a PT_INTERP far longer than PATH_MAX and than the file
    [InlineData(true, PT_INTERP, 4097UL)]          // longer than PATH_MAX: the kernel refuses it too
    [InlineData(false, SHT_STRTAB, 0x3fff_ffffUL)] // a string table larger than the file
    public void SizesInTheHeadersBeyondTheFileReadAsNoImage(bool segment, uint type, ulong size)
    {
        using var t = new TempTree();
        string program = Patched(t, "crafted", elf => WriteSize(elf, segment, type, size));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Null(ElfImage.TryRead(program));
        Assert.Null(ElfImage.TryReadInterpreter(program));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Equal([program], ProgramDependencies.Resolve(program, NoLibraryPath).Files.Select(f => f.Path));
    }

    [Fact]
    public void ALongSearchPathIsCappedAndItsWarningNamesTheFirstPlacesOnly()
    {
        string program = programs.Program("app-longpath");
        ElfImage image = ElfImage.TryRead(program)!;
        Assert.Equal(ProgramDependencies.MaxSearchDirectories, image.RunPath.Count);
        Assert.True(image.Truncated);

        ProgramDependencies deps = ProgramDependencies.Resolve(program, NoLibraryPath);
        Assert.Contains(deps.Problems, p => p == $"{program} names more than {ProgramDependencies.MaxNeeded} libraries or {ProgramDependencies.MaxSearchDirectories} search directories; only the first were followed.");
        string missing = Assert.Single(deps.Problems, p => p.StartsWith("libgone.so, needed by "));
        Assert.StartsWith($"libgone.so, needed by {program}, was not found (looked in /nonexistent/d0/libgone.so, /nonexistent/d1/libgone.so, /nonexistent/d2/libgone.so, /nonexistent/d3/libgone.so and ", missing);
        Assert.InRange(missing.Length, 0, 300);
        Assert.Contains(deps.Files, f => f.Path.EndsWith("/libc.so.6"));
    }

    private const uint PT_INTERP = 3;
    private const uint SHT_STRTAB = 3;

    // /usr/bin/true (x86-64, little-endian), changed by patch, as an executable file.
    private static string Patched(TempTree tree, string name, Action<byte[]> patch)
    {
        byte[] elf = File.ReadAllBytes("/usr/bin/true");
        patch(elf);
        string path = Path.Combine(tree.Root, name);
        File.WriteAllBytes(path, elf);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    // Replaces the PT_INTERP string in place, NUL-padded: the segment keeps its size.
    private static void WriteInterpreter(byte[] elf, string interpreter)
    {
        byte[] original = Encoding.ASCII.GetBytes(ElfImage.TryRead("/usr/bin/true")!.Interpreter!);
        int at = elf.AsSpan().IndexOf(original);
        Array.Clear(elf, at, original.Length);
        Encoding.ASCII.GetBytes(interpreter).CopyTo(elf, at);
    }

    // Sets the file size of the first segment (p_filesz) or section (sh_size) of this type:
    // offsets from the ELF64 layout in <elf.h>.
    private static void WriteSize(byte[] elf, bool segment, uint type, ulong size)
    {
        ulong table = BitConverter.ToUInt64(elf, segment ? 32 : 40);
        int entrySize = BitConverter.ToUInt16(elf, segment ? 54 : 58), count = BitConverter.ToUInt16(elf, segment ? 56 : 60);
        for (int i = 0; i < count; i++)
        {
            int entry = (int)table + i * entrySize;
            if (BitConverter.ToUInt32(elf, entry + (segment ? 0 : 4)) != type) continue;
            BitConverter.GetBytes(size).CopyTo(elf, entry + 32);
            return;
        }
        throw new InvalidOperationException($"/usr/bin/true has no {(segment ? "segment" : "section")} of type {type}.");
    }

    private static string Script(TempTree tree, string name, string text)
    {
        string path = tree.File(name, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static int RunUnconfined(string program, params string[] arguments) => Unconfined(program, arguments).ExitCode;

    private static string RunUnconfinedOutput(string program) => Unconfined(program, []).Output;

    private static (int ExitCode, string Output) Unconfined(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("LD_LIBRARY_PATH");
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    // What the real loader resolves, as ldd prints it: "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)".
    private static List<string> LddPaths(string program)
    {
        var start = new ProcessStartInfo("ldd", [program]) { RedirectStandardOutput = true };
        start.Environment.Remove("LD_LIBRARY_PATH");
        using Process ldd = Process.Start(start)!;
        string output = ldd.StandardOutput.ReadToEnd();
        ldd.WaitForExit();
        return output.Split('\n')
            .Select(line => line.Split(" => ", 2))
            .Where(parts => parts.Length == 2 && parts[1].StartsWith('/'))
            .Select(parts => parts[1][..parts[1].LastIndexOf(" (", StringComparison.Ordinal)])
            .ToList();
    }
}
