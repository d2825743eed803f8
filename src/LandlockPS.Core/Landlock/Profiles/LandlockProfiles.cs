using System;
using System.Collections.Generic;
using System.Linq;

namespace LandlockPS.Core.Landlock;

/// <summary>
/// The catalogue of profiles. Each grants the least that serves its purpose on Debian, Ubuntu, Fedora
/// and RHEL layouts; paths one of them lacks are skipped when a profile is added. Files get file rights
/// only, so the rules read exactly as the kernel receives them.
/// </summary>
public static class LandlockProfiles
{
    private const LandlockAccessFs Sink = LandlockAccessFs.ReadFile | LandlockAccessFs.WriteFile | LandlockAccessFs.Truncate;

    private static readonly LandlockProfile[] Catalogue =
    [
        new(LandlockProfileName.SystemReadOnly,
            "Run the system's programs: read and execute the program and library trees, read the dynamic loader's cache, " +
            "the user and group databases and the time zone, discard output to /dev/null, read /dev/zero and random numbers.",
            "Execute covers every program under /usr, interpreters included (sh, perl, python3), and they run whatever " +
            "they are given: what a sandbox can do is set by the other rules, not by which programs it may start. " +
            "The rest of /etc is left out because it holds files only root may read: add SystemConfig for programs that " +
            "read their configuration there.",
            [
                .. Rules(LandlockAccessFs.ReadExecute, "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64"),
                .. Rules(LandlockAccessFs.ReadFile, "/etc/ld.so.cache", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/localtime"),
                // Truncate too: a shell's "> /dev/null" opens with O_TRUNC.
                .. Rules(Sink, "/dev/null", "/dev/full"),
                .. Rules(LandlockAccessFs.ReadFile, "/dev/zero", "/dev/random", "/dev/urandom"),
            ],
            []),
        new(LandlockProfileName.SystemConfig,
            "Read the system's configuration: all of /etc.",
            "/etc also holds secrets that only root may read (/etc/shadow, /etc/gshadow, SSH host keys, /etc/ssl/private). " +
            "Landlock cannot carve them out of a rule on /etc, and a sandbox running as root can read them even with its " +
            "capabilities dropped, because root owns them. Run the sandbox as another user, or name the files it needs " +
            "with path rules instead.",
            [.. Rules(LandlockAccessFs.ReadOnly, "/etc")],
            []),
        new(LandlockProfileName.ProcessInfo,
            "Read /proc: what ps, top, free and many runtimes read about processes and the system.",
            "The sandbox sees every process's command line, status and mounts, unless /proc is mounted with hidepid. " +
            "Landlock still denies it the memory, environment and open files of processes outside the sandbox. " +
            "A rule on /proc/self would not help: it is resolved when the rule is made, to the process making it.",
            [.. Rules(LandlockAccessFs.ReadOnly, "/proc")],
            []),
        new(LandlockProfileName.WebClient,
            "Resolve names and connect to DNS (53), HTTP (80) and HTTPS (443) ports: the resolver's files, the TLS trust " +
            "store and OpenSSL's configuration, but no private keys.",
            "A port rule limits the port, not the host: the sandbox may connect to any address on these ports. Landlock " +
            "filters UDP only from ABI 10 (Linux 7.2): with an older kernel or a ruleset pinned below V10, the sandbox may " +
            "send UDP datagrams to any port. Lookups through a local daemon's UNIX socket (systemd-resolved, nscd) are not " +
            "part of it: from ABI 9 they are denied, and the C library goes on to the next source in /etc/nsswitch.conf.",
            [
                .. Rules(LandlockAccessFs.ReadFile, "/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf",
                    "/etc/nsswitch.conf", "/etc/services", "/etc/protocols", "/etc/ssl/openssl.cnf"),
                .. Rules(LandlockAccessFs.ReadOnly, "/etc/ssl/certs", "/etc/pki/ca-trust", "/etc/pki/tls/certs", "/usr/share/ca-certificates"),
            ],
            [
                // DNS falls back to TCP for large answers.
                new(53, LandlockAccessNet.ConnectTcp | LandlockAccessNet.ConnectSendUdp),
                new(80, LandlockAccessNet.ConnectTcp),
                new(443, LandlockAccessNet.ConnectTcp),
            ]),
        new(LandlockProfileName.SharedTemp,
            "Read and write the machine-wide temporary directories /tmp and /var/tmp (no Execute, no connecting to others' sockets there).",
            "Every process on the machine shares them: the sandbox can read what others leave readable there, and leave " +
            "files, FIFOs, sockets and symbolic links for them to find. Prefer a private directory given with " +
            "a path rule, and a TMPDIR that points to it.",
            [.. Rules(SharedTempAccess, "/tmp", "/var/tmp")],
            []),
    ];

    // Files, folders, links, FIFOs and sockets of its own, but not ResolveUnix: connecting to the
    // sockets others keep in /tmp (X11, tmux, ssh-agent) would reach outside the sandbox. No device
    // nodes or device ioctls either: nothing in a temporary directory needs them.
    private const LandlockAccessFs SharedTempAccess =
        LandlockAccessFs.ReadOnly | LandlockAccessFs.WriteFile | LandlockAccessFs.Truncate | LandlockAccessFs.RemoveFile |
        LandlockAccessFs.RemoveDir | LandlockAccessFs.MakeReg | LandlockAccessFs.MakeDir | LandlockAccessFs.MakeSym |
        LandlockAccessFs.MakeFifo | LandlockAccessFs.MakeSock | LandlockAccessFs.Refer;

    /// <summary>Every profile, in the order of <see cref="LandlockProfileName"/>.</summary>
    public static IReadOnlyList<LandlockProfile> All => Catalogue;

    /// <summary>
    /// Adds the rules of a profile to <paramref name="ruleset"/>, each narrowed to what it handles, and
    /// records the profile's name there. Adding it again re-adds its rules (paths may have appeared
    /// since) and records nothing new.
    /// </summary>
    public static IReadOnlyList<LandlockProfileOutcome> AddProfile(this LandlockRuleset ruleset, LandlockProfileName name)
    {
        IReadOnlyList<LandlockProfileOutcome> outcomes = Get(name).ApplyTo(ruleset);
        ruleset.RecordProfile(name);
        return outcomes;
    }

    /// <summary>The profile of that name.</summary>
    public static LandlockProfile Get(LandlockProfileName name) =>
        Catalogue.FirstOrDefault(p => p.Name == name)
            ?? throw new ArgumentOutOfRangeException(nameof(name), name, $"Unknown profile; this module knows {string.Join(", ", Enum.GetNames<LandlockProfileName>())}.");

    private static IEnumerable<LandlockPathRule> Rules(LandlockAccessFs access, params string[] paths) =>
        paths.Select(path => new LandlockPathRule(path, access));
}
