using System;
using System.Collections.Generic;
using System.IO.Enumeration;
using System.Linq;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Propose;

/// <summary>A read-only system tree: reads and executions beneath <see cref="Root"/> become one rule granting <see cref="Access"/> on it.</summary>
public sealed record SystemTree(string Root, LandlockAccessFs Access);

/// <summary>
/// The tables a proposal is made from: which system trees reads collapse into, which places a write
/// (or any access) is flagged on, and which folders the Tree granularity never merges above. Data, not
/// code, so the help page can list them and a test can hold the two together.
/// </summary>
public static class ProposalPlaces
{
    /// <summary>
    /// Trees that hold programs, libraries and shared data only root writes. Not /etc as a whole (it
    /// holds /etc/shadow), nor /etc/ssl (it holds /etc/ssl/private): only their certificate folders.
    /// </summary>
    public static IReadOnlyList<SystemTree> SystemTrees { get; } =
    [
        new("/usr", LandlockAccessFs.ReadExecute),
        new("/bin", LandlockAccessFs.ReadExecute),
        new("/sbin", LandlockAccessFs.ReadExecute),
        new("/lib", LandlockAccessFs.ReadExecute),
        new("/lib32", LandlockAccessFs.ReadExecute),
        new("/lib64", LandlockAccessFs.ReadExecute),
        new("/libx32", LandlockAccessFs.ReadExecute),
        new("/nix/store", LandlockAccessFs.ReadExecute),
        new("/etc/ssl/certs", LandlockAccessFs.ReadOnly),
        new("/etc/ca-certificates", LandlockAccessFs.ReadOnly),
        new("/etc/pki/ca-trust", LandlockAccessFs.ReadOnly),
        new("/etc/pki/tls/certs", LandlockAccessFs.ReadOnly),
        new("/etc/fonts", LandlockAccessFs.ReadOnly),
        new("/etc/ld.so.conf.d", LandlockAccessFs.ReadOnly),
        // A rule on /proc/self would be resolved when the rule is built, to the caller's own entry.
        new("/proc", LandlockAccessFs.ReadOnly),
        new("/sys/devices/system/cpu", LandlockAccessFs.ReadOnly),
        new("/sys/fs/cgroup", LandlockAccessFs.ReadOnly),
    ];

    /// <summary>Trees a write on is flagged: the system's programs, configuration, state, devices and kernel interfaces.</summary>
    public static IReadOnlyList<string> SystemWriteTrees { get; } =
        ["/usr", "/etc", "/boot", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/nix", "/var", "/run", "/dev", "/sys", "/proc"];

    /// <summary>Places within <see cref="SystemWriteTrees"/> a write on is not flagged: scratch space and harmless devices.</summary>
    public static IReadOnlyList<string> WritableSystemPlaces { get; } =
        ["/var/tmp", "/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/shm"];

    /// <summary>Folder names that hold keys and credentials, wherever they are.</summary>
    public static IReadOnlyList<string> SecretFolders { get; } =
        [".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker", ".password-store", ".pki", "gcloud", "keyrings"];

    /// <summary>
    /// Name patterns (case-insensitive, * and ?) of files and folders that look like secrets. Whole names
    /// and endings rather than any "key" or "token" inside a name: a runtime's keyword.py or tokenize.py is no secret.
    /// </summary>
    public static IReadOnlyList<string> SecretNames { get; } =
    [
        ".netrc", ".git-credentials", ".pgpass", ".pypirc", ".npmrc", ".my.cnf", ".vault-token", ".env",
        "shadow", "shadow-", "gshadow", "gshadow-", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
        "*.pem", "*.key", "*_key", "*-key", "*privkey*", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.kdbx", "*.gpg",
        "*.token", "*_token", "*-token", "*.secret", "secret.*", "secrets.json", "secrets.y*ml", "*credential*", "*password*",
    ];

    /// <summary>Folders every user and sandbox may make files in: listing one shows them all (the user's own temp folder is added at run time).</summary>
    public static IReadOnlyList<string> SharedTempFolders { get; } = ["/tmp", "/var/tmp", "/dev/shm"];

    /// <summary>Names of a repository's control entry: its hooks and configuration run with the next command in the repository.</summary>
    public static IReadOnlyList<string> RepositoryControlNames { get; } = [".git", ".hg"];

    /// <summary>Secrets at fixed places: a folder rule that holds one of them is flagged, as one on a home folder is.</summary>
    public static IReadOnlyList<string> SecretPlaces { get; } = ["/etc/shadow", "/etc/gshadow", "/etc/ssl/private"];

    /// <summary>Folders the Tree granularity never widens a rule to (homes and the temp folder are added at run time).</summary>
    public static IReadOnlyList<string> TreeBoundaries { get; } =
        ["/", "/home", "/root", "/tmp", "/var/tmp", "/mnt", "/media", "/srv", "/run", "/var", "/opt"];

    /// <summary>The system tree that collapses a read or execution of <paramref name="path"/> needing <paramref name="access"/>, if any: the deepest.</summary>
    public static SystemTree? TreeFor(string path, LandlockAccessFs access) =>
        SystemTrees.Where(t => (access & ~t.Access) == 0 && PlacePath.IsWithin(path, t.Root))
            .OrderByDescending(t => t.Root.Length)
            .FirstOrDefault();

    /// <summary>A home folder: /root, /home/&lt;name&gt;, or <paramref name="home"/> (this user's).</summary>
    public static bool IsHome(string path, string? home) =>
        path == "/root" || path == home || PlacePath.Parent(path) == "/home";

    /// <summary>Whether a folder rule on <paramref name="path"/> covers a whole home folder: the home, or a folder above one.</summary>
    public static bool CoversHome(string path, string? home) =>
        IsHome(path, home) || path == "/" || path == "/home" || (home is not null && PlacePath.IsWithin(home, path));

    /// <summary>
    /// Whether <paramref name="path"/> names a secret-looking file or folder, or lies in one. Nothing in a
    /// <see cref="SystemTrees">system tree</see> does: they were chosen to hold none (certificates are public; libkeyutils is a library).
    /// </summary>
    public static bool LooksSecret(string path, string? home)
    {
        if (SystemTrees.Any(t => PlacePath.IsWithin(path, t.Root))) return false;
        IEnumerable<string> names = PlacePath.Names(OutsideHomeRoot(path, home));
        return names.Any(name => SecretFolders.Contains(name, StringComparer.Ordinal)
            || Matches(SecretNames, name) && !Matches(PublicCertificateNames, name));
    }

    // Certificates are public by design, and bundles of them ship inside applications (certifi's
    // cacert.pem) and beside their keys (certbot's cert.pem and fullchain.pem, next to privkey.pem).
    private static readonly string[] PublicCertificateNames = ["cacert.pem", "ca-bundle*.pem", "ca-certificates*.pem", "*cert.pem", "*chain.pem"];

    private static bool Matches(IEnumerable<string> patterns, string name) =>
        patterns.Any(pattern => FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: true));

    // A user's home folder's own name says nothing: a user called "tokenbot" has no token in the name.
    private static string OutsideHomeRoot(string path, string? home)
    {
        foreach (string root in new[] { home, "/root" }.OfType<string>())
        {
            if (PlacePath.IsWithin(path, root)) return path[root.Length..];
        }
        string[] names = PlacePath.Names(path).ToArray();
        return names.Length >= 2 && names[0] == "home" ? "/" + string.Join('/', names.Skip(2)) : path;
    }
}
