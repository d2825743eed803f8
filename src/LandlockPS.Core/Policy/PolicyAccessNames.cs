using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Policy;

/// <summary>
/// The landlockconfig spelling of rights and scopes: snake_case of the kernel's names (read_file,
/// bind_tcp, abstract_unix_socket), plus groups resolved against the policy's top-level abi:
/// "abi.all", "abi.read_execute", "abi.read_write". The older "v5.read_execute" form (a named
/// version; upstream dropped it in 2025) is still read, as a LandlockPS extension, and never written.
/// </summary>
internal static class PolicyAccessNames
{
    /// <summary>The newest ABI all of whose rights landlockconfig's schema lists.</summary>
    public static readonly LandlockAbi NewestInSchema = LandlockAbi.V8;

    /// <summary>Rights LandlockPS knows but landlockconfig's schema does not list yet (newer ABIs).</summary>
    public static readonly IReadOnlySet<string> BeyondSchema = new HashSet<string>(StringComparer.Ordinal)
    {
        "resolve_unix", "bind_udp", "connect_send_udp",
    };

    private const LandlockAccessFs ReadRights = LandlockAccessFs.Execute | LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir;

    /// <summary>The snake_case names of the single rights in <paramref name="value"/>, lowest bit first.</summary>
    public static IEnumerable<string> Names<T>(T value) where T : struct, Enum
    {
        ulong bits = Convert.ToUInt64(value);
        foreach (T member in Single<T>())
        {
            if ((bits & Convert.ToUInt64(member)) != 0) yield return SnakeCase(member.ToString());
        }
    }

    /// <summary>
    /// Resolves one name of a filesystem, network or scope list. <paramref name="abi"/> is the
    /// policy's top-level abi (null when absent). Null when the name is not a right or group of this kind;
    /// throws when it is a group that cannot be resolved.
    /// </summary>
    public static T? Resolve<T>(string name, int? abi, Func<string, Exception> groupError) where T : struct, Enum
    {
        foreach (T member in Single<T>())
        {
            if (SnakeCase(member.ToString()) == name) return member;
        }
        int dot = name.IndexOf('.');
        if (dot < 0) return null;
        string group = name[(dot + 1)..];
        if (!IsGroupOf<T>(group)) return null;
        LandlockAbi version = GroupVersion<T>(name[..dot], abi, groupError);
        return (T)Enum.ToObject(typeof(T), GroupRights<T>(group, version));
    }

    /// <summary>The names a list of this kind accepts, for messages.</summary>
    public static string Expected<T>() where T : struct, Enum =>
        $"{string.Join(", ", Single<T>().Select(m => SnakeCase(m.ToString())))}, or {string.Join(", ", GroupsOf<T>().Select(g => "abi." + g))}";

    /// <summary>
    /// How an export names <paramref name="rights"/> in a file whose abi is <paramref name="abi"/>: the
    /// largest abi.* group the rights hold whole, then the single rights left. Rights newer than
    /// landlockconfig's schema are named even when a group holds them: another reader then refuses the
    /// file, where it would read the group as fewer rights and enforce less without a word.
    /// </summary>
    public static IReadOnlyList<string> Spell<T>(T rights, LandlockAbi abi) where T : struct, Enum
    {
        ulong bits = Convert.ToUInt64(rights), single = bits;
        var names = new List<string>();
        foreach (string group in GroupsOf<T>())
        {
            ulong groupBits = GroupRights<T>(group, abi);
            if (groupBits == 0 || (bits & groupBits) != groupBits) continue;
            names.Add("abi." + group);
            single = (bits & ~groupBits) | (bits & BeyondSchemaBits<T>());
            break;
        }
        names.AddRange(Names((T)Enum.ToObject(typeof(T), single)));
        return names;
    }

    /// <summary>The rights of <paramref name="rights"/> that landlockconfig's schema does not name yet.</summary>
    public static T BeyondSchemaOf<T>(T rights) where T : struct, Enum =>
        (T)Enum.ToObject(typeof(T), Convert.ToUInt64(rights) & BeyondSchemaBits<T>());

    private static ulong BeyondSchemaBits<T>() where T : struct, Enum =>
        Single<T>().Where(m => BeyondSchema.Contains(SnakeCase(m.ToString()))).Aggregate(0UL, (all, m) => all | Convert.ToUInt64(m));

    // Largest first, so an export names the biggest group a rule holds whole.
    private static string[] GroupsOf<T>() where T : struct, Enum =>
        typeof(T) == typeof(LandlockAccessFs) ? ["all", "read_write", "read_execute"] : ["all"];

    private static IEnumerable<T> Single<T>() where T : struct, Enum =>
        Enum.GetValues<T>().Where(m => System.Numerics.BitOperations.IsPow2(Convert.ToUInt64(m)));

    private static bool IsGroupOf<T>(string group) where T : struct, Enum => GroupsOf<T>().Contains(group);

    private static LandlockAbi GroupVersion<T>(string prefix, int? abi, Func<string, Exception> groupError) where T : struct, Enum
    {
        int version;
        if (prefix == "abi")
        {
            // A version above the newest this module knows means "everything known", as upstream does.
            version = abi ?? throw groupError(
                "a group prefixed 'abi.' stands for that group in the policy's top-level abi, and this policy has none. " +
                "Add one: abi = 5 in TOML, \"abi\": 5 in JSON.");
            return (LandlockAbi)Math.Min(version, (int)AbiFeatures.Newest);
        }
        if (prefix.Length < 2 || prefix[0] != 'v' || !int.TryParse(prefix.AsSpan(1), System.Globalization.NumberStyles.None, null, out version))
        {
            throw groupError($"'{prefix}.' is not a group prefix. Use 'abi.' with the policy's top-level abi.");
        }
        LandlockAbi first = FirstVersion<T>();
        if (version < (int)first || version > (int)AbiFeatures.Newest)
        {
            throw groupError($"version {version} has no such group: this module knows the groups of {first} to {AbiFeatures.Newest} for this list.");
        }
        return (LandlockAbi)version;
    }

    private static LandlockAbi FirstVersion<T>() where T : struct, Enum =>
        AbiFeatures.All.First(f => Convert.ToUInt64(Everything<T>(f)) != 0).Abi;

    private static object Everything<T>(AbiFeatures features) where T : struct, Enum =>
        typeof(T) == typeof(LandlockAccessFs) ? features.AccessFs
        : typeof(T) == typeof(LandlockAccessNet) ? features.AccessNet
        : features.Scope;

    // read_execute: reading and executing, plus Refer where the ABI has it (moving a file in
    // needs it on both sides); read_write: everything but Execute. Upstream defines them so.
    private static ulong GroupRights<T>(string group, LandlockAbi version) where T : struct, Enum
    {
        AbiFeatures features = AbiFeatures.Of(version);
        ulong all = Convert.ToUInt64(Everything<T>(features));
        return group switch
        {
            "read_execute" => (ulong)(ReadRights | (features.AccessFs & LandlockAccessFs.Refer)),
            "read_write" => all & ~(ulong)LandlockAccessFs.Execute,
            _ => all,
        };
    }

    private static string SnakeCase(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        foreach (char c in pascal)
        {
            if (char.IsUpper(c) && text.Length > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
