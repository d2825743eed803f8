using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text;
using LandlockPS.Core;
using LandlockPS.Core.Dependencies;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;
using LandlockPS.Core.Sandbox;

namespace LandlockPS.Remoting;

/// <summary>
/// What a confined child pwsh needs: the program to start, the implicit rules it cannot start
/// without (computed from the running pwsh, never from a list of one machine's paths), a private
/// scratch home, and an environment that keeps it from touching more. Disposing removes the home.
/// </summary>
internal sealed class PwshSandbox : IDisposable
{
    private const LandlockAccessFs ReadOnly = LandlockAccessFs.ReadOnly;
    private const LandlockAccessFs ReadExecute = LandlockAccessFs.ReadExecute;
    private const LandlockAccessFs ReadFile = LandlockAccessFs.ReadFile;

    private readonly IReadOnlyList<HeldPathRule> _libraries;

    private PwshSandbox(LandlockRuleset ruleset, IReadOnlyList<LandlockPathRule> implicitRules, SandboxStartInfo startInfo, ScratchHome home,
        IReadOnlyList<HeldPathRule> libraries)
    {
        Ruleset = ruleset;
        ImplicitRules = implicitRules;
        StartInfo = startInfo;
        Home = home;
        _libraries = libraries;
    }

    /// <summary>The user's ruleset plus the implicit rules; the user's own object is left as it was.</summary>
    public LandlockRuleset Ruleset { get; }

    public IReadOnlyList<LandlockPathRule> ImplicitRules { get; }

    /// <summary>Folders the user's files chose (see <see cref="ChosenFolders"/>) that are reached through a link, and so got no implicit rule.</summary>
    public IReadOnlyList<string> LinkedFolders { get; private init; } = [];

    public SandboxStartInfo StartInfo { get; }

    /// <summary>The child's private, writable home (HOME, XDG dirs, TMPDIR), removed on dispose.</summary>
    public ScratchHome Home { get; }

    /// <summary>Lays out a child pwsh for <paramref name="launch"/>.</summary>
    public static PwshSandbox Create(PwshLaunch launch)
    {
        ScratchHome home = ScratchHome.Create();
        var libraries = new List<HeldPathRule>();
        try
        {
            SeedStartupProfile(home);
            string pwsh = FindPwsh();
            LandlockRuleset effective = launch.Ruleset.Clone();
            var added = new List<LandlockPathRule>();
            var held = new List<HeldPathRule>();
            var linked = new List<string>();
            if (launch.ImplicitRules)
            {
                List<string> loaded = LoadedLibraries();
                foreach ((string path, LandlockAccessFs access) in Needs(pwsh, launch, loaded))
                {
                    effective.AddPathRuleIfPresent(path, access, out LandlockAccessFs granted, out _);
                    if (granted != LandlockAccessFs.None) added.Add(new LandlockPathRule(path, granted) { RulesetHandledAccessFs = effective.HandledAccessFs });
                }
                // A library outside the system's folders may lie in a folder a sandbox can write, which
                // could swap its name for a link: the rule is built on the file itself, held open.
                libraries.AddRange(HeldLibraries(loaded, ReadFile & effective.HandledAccessFs));
                LandlockAccessFs folderAccess = ReadOnly & effective.HandledAccessFs;
                if (folderAccess != LandlockAccessFs.None)
                {
                    foreach (string folder in ChosenFolders(launch).Distinct(StringComparer.Ordinal))
                    {
                        if (HeldPathRule.OnFolder(folder, folderAccess) is { } rule) libraries.Add(rule);
                        else if (Directory.Exists(folder)) linked.Add(folder);
                    }
                }
                held.AddRange(libraries);
                added.AddRange(libraries.Select(l => new LandlockPathRule(l.Path, l.Access) { RulesetHandledAccessFs = effective.HandledAccessFs }));
                // Built from the folder held open: the home's path lies in a folder other sandboxes may write.
                // Not ResolveUnix: the child connects to no socket, and a grant anywhere would leave UNIX
                // sockets open where the kernel's Landlock cannot restrict them (see LandlockEmulation).
                LandlockAccessFs homeAccess = LandlockAccessFs.ReadWrite & ~LandlockAccessFs.ResolveUnix & effective.HandledAccessFs;
                if (homeAccess != LandlockAccessFs.None)
                {
                    held.Add(home.Rule(homeAccess));
                    added.Add(new LandlockPathRule(home.Path, homeAccess) { RulesetHandledAccessFs = effective.HandledAccessFs });
                }
            }
            var info = new SandboxStartInfo(pwsh)
            {
                ArgumentZero = "pwsh",
                Arguments = ["-s", "-NoLogo", "-NoProfile"],
                WorkingDirectory = launch.WorkingDirectory,
                Environment = ChildEnvironment(launch, home),
                RedirectStandardInput = true,
                KeepCapabilities = launch.KeepCapabilities,
                AllowUnconfined = launch.AllowUnconfined,
                HeldPathRules = held,
                Observer = launch.Observer,
            };
            return new PwshSandbox(effective, added, info, home, libraries) { LinkedFolders = linked };
        }
        catch (LandlockException e) when (e.ErrorId == "FolderActionFailed")
        {
            Release(libraries);
            home.Dispose();
            throw new LandlockException(
                $"The sandbox's private home {home.Path} changed while it was being prepared ({e.Message}); nothing was written outside it. " +
                $"Another sandbox that may write {HomeRoot.Path} can do this: do not give sandboxes write access to it or a folder above it.",
                e.Syscall, e.Errno, "ScratchHomeFailed", e);
        }
        catch
        {
            Release(libraries);
            home.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Release(_libraries);
        Home.Dispose();
    }

    private static void Release(IEnumerable<HeldPathRule> rules)
    {
        foreach (HeldPathRule rule in rules) rule.Handle.Dispose();
    }

    /// <summary>
    /// pwsh replays a record of what it compiled at startup (multi-core JIT) from its cache folder;
    /// in an empty home it has none and starts noticeably slower. Give the child a copy of one this
    /// user's own, unconfined pwsh wrote. A copy: nothing a sandbox writes reaches another.
    /// </summary>
    private static void SeedStartupProfile(ScratchHome home)
    {
        // Beneath the cache root no link is followed: a sandbox that may write the user's cache
        // could otherwise plant one and have a file it cannot read copied where it can.
        (string root, string prefix) = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? (xdg, "powershell")
            : (Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache/powershell");
        try
        {
            using SafeDirectoryHandle target = home.CreateFolders(".cache", "powershell");
            // A server's own profile if this user's pwsh ever wrote one, else the non-interactive
            // one: most of what either records is the engine's own start-up. Only a plain file of
            // a plausible size: a FIFO or a device could block or never end.
            foreach (string name in StartupProfiles)
            {
                if (PlainFile.TryCopyBeneath(root, $"{prefix}/{name}", target, StartupProfiles[0], MaxStartupProfileBytes)) return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LandlockException)
        {
            // Only a speed-up: a cache folder that cannot be made (something planted a name there) goes without.
        }
    }

    private const long MaxStartupProfileBytes = 16 << 20;

    // The names pwsh gives its startup profile as a server (-s), and when it runs a command non-interactively.
    private static readonly string[] StartupProfiles = ["StartupProfileData-ServerMode", "StartupProfileData-NonInteractive"];

    /// <summary>The pwsh to start: the apphost next to the running engine.</summary>
    private static string FindPwsh()
    {
        string apphost = Path.Combine(PSHome, "pwsh");
        if (File.Exists(apphost)) return apphost;
        throw new PSInvalidOperationException($"No pwsh executable was found in {PSHome}; a sandboxed script block needs one.");
    }

    // Both fixed for the life of the process: worked out once, not per launch.
    private static readonly string PSHome = Path.GetDirectoryName(typeof(PSObject).Assembly.Location)!;

    /// <summary>The .NET root the engine runs on: where the apphost finds hostfxr and the shared framework.</summary>
    private static readonly string DotnetRoot =
        Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    private static IEnumerable<(string Path, LandlockAccessFs Access)> Needs(string pwsh, PwshLaunch launch, IEnumerable<string> libraries)
    {
        IReadOnlyDictionary<string, string> environment = launch.Environment;
        ModuleLocation? module = launch.Module;
        yield return (pwsh, ReadExecute);
        if (ExecutableInspector.FindInterpreter(pwsh) is { } interpreter) yield return (interpreter, ReadExecute);
        yield return (PSHome, ReadOnly);
        yield return (Path.Combine(DotnetRoot, "host"), ReadOnly);
        yield return (Path.Combine(DotnetRoot, "shared"), ReadOnly);
        foreach (string folder in libraries.Select(SystemFolderOf).OfType<string>().Distinct(StringComparer.Ordinal)) yield return (folder, ReadFile);
        yield return ("/proc", ReadOnly);
        yield return ("/sys/fs/cgroup", ReadOnly);
        yield return ("/sys/devices/system/cpu", ReadOnly);
        yield return ("/dev/null", ReadFile | LandlockAccessFs.WriteFile);
        yield return ("/dev/urandom", ReadFile);
        yield return ("/dev/random", ReadFile);
        foreach (string file in new[] { "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/localtime" }) yield return (file, ReadFile);
        yield return ("/usr/share/zoneinfo", ReadOnly);
        foreach (string terminfo in new[] { "/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo" }) yield return (terminfo, ReadOnly);
    }

    /// <summary>
    /// Folders the user's own files choose (PSModulePath, this module's folder, the script's folder):
    /// any of them may lie in a folder a sandbox can write, which could swap it for a link to / before
    /// the next launch. Each is reached without following a link and its rule built on the folder held
    /// open; one reached through a link gets no rule (a rule of the user's own grants it, links followed).
    /// </summary>
    private static IEnumerable<string> ChosenFolders(PwshLaunch launch)
    {
        foreach (string modules in ModulePath(launch.Environment)) yield return modules;
        if (launch.Module is { } module)
        {
            foreach (string folder in module.Folders) yield return folder;
        }
        if (launch.ScriptFolder is { } scripts) yield return scripts;
    }

    /// <summary>
    /// The shared objects this process has mapped, which the child needs to load too: the native
    /// libraries, ICU and the runtime the child pwsh will load. A system library folder (root's
    /// alone) is granted whole, for the siblings the child may load later (libssl for its first HTTPS
    /// call); anywhere else only the library files themselves (<see cref="HeldLibraries"/>): a
    /// module's native library in a home folder, or one loaded from a data folder, must not open its
    /// neighbours. Libraries under $PSHOME and the .NET root are covered by those folders' own rules.
    /// Other mapped files (assemblies, data a script mapped) are left out: a fresh pwsh finds its
    /// assemblies in the folders granted by name.
    /// </summary>
    private static List<string> LoadedLibraries()
    {
        // As bytes, each library decoded once however many areas it maps: a pwsh maps 800 or so,
        // and a string for every line and field cost every launch some 600 KB of garbage.
        using var maps = new FileStream("/proc/self/maps", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        byte[] content = PooledRead.ReadAtMost(maps, MaxMapsBytes, out int length)
            ?? throw new IOException($"/proc/self/maps is longer than {MaxMapsBytes >> 20} MiB.");
        try
        {
            var libraries = new List<string>();
            ReadOnlySpan<byte> rest = content.AsSpan(0, length);
            ReadOnlySpan<byte> previous = default;
            while (!rest.IsEmpty)
            {
                int end = rest.IndexOf((byte)'\n');
                ReadOnlySpan<byte> line = end < 0 ? rest : rest[..end];
                rest = end < 0 ? default : rest[(end + 1)..];
                // The path is the last field, and the only one with a '/'.
                int slash = line.IndexOf((byte)'/');
                if (slash < 0) continue;
                ReadOnlySpan<byte> file = line[slash..];
                if (file.SequenceEqual(previous) || file.EndsWith(" (deleted)"u8)) continue;
                previous = file;
                string path = Encoding.UTF8.GetString(file);
                if (IsSharedObject(path) && !IsBeneath(path, PSHome) && !IsBeneath(path, DotnetRoot) && !libraries.Contains(path)) libraries.Add(path);
            }
            return libraries;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }
    }

    private const long MaxMapsBytes = 64 << 20;

    private static string? SystemFolderOf(string library) =>
        Path.GetDirectoryName(library) is { } folder && SystemLibraryFolders.Contains(folder) ? folder : null;

    // /proc/self/maps names each library by its real path, which has no link on the way: one found
    // there now was swapped in since, and the library goes without a rule.
    private static IEnumerable<HeldPathRule> HeldLibraries(IEnumerable<string> libraries, LandlockAccessFs access) =>
        access == LandlockAccessFs.None
            ? []
            : libraries.Where(l => SystemFolderOf(l) is null).Select(l => HeldPathRule.OnPlainFile(l, access)).OfType<HeldPathRule>().ToArray();

    private static bool IsBeneath(string file, string folder) =>
        file.StartsWith(Path.TrimEndingDirectorySeparator(folder) + "/", StringComparison.Ordinal);

    // libfoo.so, libfoo.so.6, libfoo.so.6.0.1
    private static bool IsSharedObject(string file)
    {
        string name = Path.GetFileName(file);
        return name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal);
    }

    private static IEnumerable<string> ModulePath(IReadOnlyDictionary<string, string> environment) =>
        environment.TryGetValue("PSModulePath", out string? value)
            ? value.Split(':', StringSplitOptions.RemoveEmptyEntries).Where(p => Path.IsPathFullyQualified(p))
            : [];

    // A runtime setting for the child, unless the caller set it (under either of its prefixes).
    private static void SetUnlessChosen(Dictionary<string, string> env, string setting, string value)
    {
        if (!env.ContainsKey("DOTNET_" + setting) && !env.ContainsKey("COMPlus_" + setting)) env["DOTNET_" + setting] = value;
    }

    private static Dictionary<string, string> ChildEnvironment(PwshLaunch launch, ScratchHome scratch)
    {
        string home = scratch.Path;
        IReadOnlyDictionary<string, string> environment = launch.Environment;
        ModuleLocation? module = launch.Module;
        var env = new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            ["HOME"] = home,
            ["TMPDIR"] = home,
            ["XDG_CONFIG_HOME"] = Path.Combine(home, ".config"),
            ["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share"),
            ["XDG_CACHE_HOME"] = Path.Combine(home, ".cache"),
            ["PSModuleAnalysisCachePath"] = Path.Combine(home, "ModuleAnalysisCache"),
            ["POWERSHELL_TELEMETRY_OPTOUT"] = "1",
            ["POWERSHELL_UPDATECHECK"] = "Off",
            // Without these the child leaves diagnostic IPC sockets and FIFOs in TMPDIR.
            ["POWERSHELL_DIAGNOSTICS_OPTOUT"] = "1",
            ["DOTNET_EnableDiagnostics"] = "0",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_ROOT"] = DotnetRoot,
        };
        // The runtime's idle pool threads spin (sched_yield, about 90,000 times a second here) before
        // they sleep. Scheduled apart from its caller, a server that waits for its caller most of the
        // time then takes its share of the CPU from it: without the spin, a session's child uses
        // about half the CPU per call. Scheduled together, the spin answers sooner, as PowerShell's
        // own out-of-process server does: a call costs the caller 0.92-1.04 of one into that server,
        // against 1.02-1.23 without the spin.
        if (ChildScheduling.IsApartFromCaller()) SetUnlessChosen(env, "ThreadPool_UnfairSemaphoreSpinLimit", "0");
        if (launch.ShortLived)
        {
            // A one-shot child lives for one block: profile-guided re-compilation costs it more at
            // start than it could ever win back, and a 64 MiB first generation spares it most of
            // its start-up collections (about 5% of a launch, measured side by side).
            SetUnlessChosen(env, "TieredPGO", "0");
            SetUnlessChosen(env, "GCgen0size", "0x4000000");
        }
        if (module is not null)
        {
            // The LandlockPS in use, importable by name, so a block can confine itself further.
            string modules = Path.Combine(home, "Modules");
            using (SafeDirectoryHandle shim = scratch.CreateFolders("Modules", module.Name))
            {
                shim.WriteNewFile(module.Name + ".psd1", Encoding.UTF8.GetBytes(module.ShimManifest()));
            }
            env["PSModulePath"] = environment.TryGetValue("PSModulePath", out string? inherited) && inherited.Length > 0
                ? modules + ":" + inherited
                : modules;
        }
        return env;
    }
}
