using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using LandlockPS.Core.Policy;
using Xunit;
using static LandlockPS.Tests.PolicyFixtures;

namespace LandlockPS.Tests;

/// <summary>
/// Thousands of damaged policies, alone and composed with sound ones (as files and as directories):
/// the importer must answer each with a ruleset or its own PolicyException, never another
/// exception, a crash or a hang.
/// </summary>
public class PolicyFuzzTests
{
    private static readonly string[] Seeds =
    [
        "mini-write-tmp.json", "mini-write-tmp.toml", "mini-scoped.json", "verbose-write-tmp.json", "micro-var.toml", "micro-write-tmp.toml",
        "legacy-micro-var-v5-groups.toml", "composition/source/s1.toml", "composition/source/s2.toml", "composition/s.json",
    ];

    [Fact]
    public async Task MutatedPoliciesFailOnlyWithPolicyErrors()
    {
        using var tree = new TempTree();
        var random = new Random(20261130);
        var cases = new List<(byte[] Bytes, PolicyFormat Format, string What)>();
        foreach (string seed in Seeds)
        {
            byte[] original = File.ReadAllBytes(PathOf(seed));
            PolicyFormat format = seed.EndsWith(".json", StringComparison.Ordinal) ? PolicyFormat.Json : PolicyFormat.Toml;
            for (int cut = 0; cut < original.Length; cut += Math.Max(1, original.Length / 150)) cases.Add((original[..cut], format, $"{seed} cut at {cut}"));
            for (int i = 0; i < 400; i++) cases.Add((Flip(original, random), format, $"{seed} flip #{i}"));
            for (int i = 0; i < 150; i++) cases.Add((Splice(original, random), format, $"{seed} splice #{i}"));
            foreach ((string from, string to) in TypeSwaps) cases.Add((Replace(original, from, to), format, $"{seed} {from}->{to}"));
        }
        cases.AddRange(Monsters());

        int accepted = 0, rejected = 0, composedAccepted = 0;
        Task run = Task.Run(() =>
        {
            foreach ((byte[] bytes, PolicyFormat format, string what) in cases)
            {
                (byte[] sound, PolicyFormat soundFormat) = SoundSeed(random);
                if (Survives(() => PolicyImport.FromBytes(bytes, what, format, tree.Root, "fuzz"), bytes, what)) accepted++;
                else rejected++;
                // The same damage composed with a sound policy, in both orders: variables, groups and ports meet across files.
                if (Survives(() => ComposeBoth(bytes, format, sound, soundFormat, what, tree.Root), bytes, $"{what} (composed)")) composedAccepted++;
            }
            FuzzDirectories(cases, random, tree);
        });

        // A hang guard, not a timing target: the whole set normally takes a few seconds.
        Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(3)));
        Assert.True(finished == run, "the importer hung on a mutated policy");
        await run;
        Assert.True(cases.Count >= 3000, $"only {cases.Count} cases");
        Assert.True(rejected > 1000 && accepted > 10, $"accepted {accepted}, rejected {rejected}: the mutations do not exercise both outcomes");
        Assert.True(composedAccepted > 10, $"only {composedAccepted} compositions accepted");
    }

    /// <summary>True for a ruleset, false for a PolicyException; any other exception fails the test with the input.</summary>
    private static bool Survives(Action import, byte[] bytes, string what)
    {
        try
        {
            import();
            return true;
        }
        catch (PolicyException)
        {
            return false;
        }
        catch (Exception e)
        {
            string text = Encoding.UTF8.GetString(bytes);
            throw new Xunit.Sdk.XunitException($"{what}: {e.GetType().Name}: {e.Message}\n{text[..Math.Min(text.Length, 400)]}");
        }
    }

    private static void ComposeBoth(byte[] damaged, PolicyFormat format, byte[] sound, PolicyFormat soundFormat, string what, string baseDirectory)
    {
        LandlockPolicy bad = PolicyImport.Read(damaged, what, format), good = PolicyImport.Read(sound, "sound", soundFormat);
        PolicyImport.ToRuleset(LandlockPolicy.Compose([bad, good]), baseDirectory, null);
        PolicyImport.ToRuleset(LandlockPolicy.Compose([good, bad, good]), baseDirectory, null);
    }

    private static (byte[], PolicyFormat) SoundSeed(Random random)
    {
        string seed = Seeds[random.Next(Seeds.Length)];
        return (File.ReadAllBytes(PathOf(seed)), seed.EndsWith(".json", StringComparison.Ordinal) ? PolicyFormat.Json : PolicyFormat.Toml);
    }

    // Directories of three damaged or sound files each: every file's error comes back as a PolicyException, or one ruleset.
    private static void FuzzDirectories(List<(byte[] Bytes, PolicyFormat Format, string What)> cases, Random random, TempTree tree)
    {
        for (int d = 0; d < 60; d++)
        {
            string dir = tree.Dir($"dir{d}");
            for (int f = 0; f < 3; f++)
            {
                var damaged = cases[random.Next(cases.Count)];
                (byte[] bytes, PolicyFormat format) = random.Next(3) == 0 ? SoundSeed(random) : (damaged.Bytes, damaged.Format);
                // Now and then under the other extension, so a file is read as the format it is not.
                bool json = (format == PolicyFormat.Json) ^ (random.Next(8) == 0);
                File.WriteAllBytes(Path.Combine(dir, $"p{f}.{(json ? "json" : "toml")}"), bytes);
            }
            Survives(() =>
            {
                LandlockPolicy? policy = PolicyImport.ReadDirectory(dir, null, out IReadOnlyList<PolicyException> errors);
                if (policy is not null) PolicyImport.ToRuleset(policy, tree.Root, null);
            }, [], $"directory {d}");
        }
    }

    private static readonly (string From, string To)[] TypeSwaps =
    [
        ("\"execute\"", "7"), ("\"read_file\"", "[\"read_file\"]"), ("[80", "[\"80\""), ("\"/tmp\"", "{}"),
        ("5", "\"5\""), ("5", "5.5"), ("5", "true"), ("5", "-5"), ("5", "99999999999999999999999"),
        ("\"/usr\"", "\"${x}\""), ("\"/usr\"", "\"$${x}\""), ("\"/usr\"", "\"${\""), ("[", "[[[["), ("]", ""),
        ("abi", "ABI"), ("ruleset", "rules"), ("parent", "parents"), ("name", "nom"),
    ];

    private static IEnumerable<(byte[], PolicyFormat, string)> Monsters()
    {
        string manyPorts = string.Join(",", Enumerable.Range(0, 60_000));
        yield return (Utf8($"{{\"netPort\":[{{\"allowedAccess\":[\"bind_tcp\"],\"port\":[{manyPorts}]}}]}}"), PolicyFormat.Json, "60000 ports");
        yield return (Utf8($"[[net_port]]\nallowed_access = [\"bind_tcp\"]\nport = [{manyPorts}]\n"), PolicyFormat.Toml, "60000 ports toml");
        string manyRights = string.Join(",", Enumerable.Repeat("\"read_file\"", 50_000));
        yield return (Utf8($"{{\"ruleset\":[{{\"handledAccessFs\":[{manyRights}]}}]}}"), PolicyFormat.Json, "50000 rights");
        yield return (Utf8(new string('[', 100_000)), PolicyFormat.Json, "deep json");
        yield return (Utf8("a = " + new string('[', 100_000)), PolicyFormat.Toml, "deep toml");
        yield return (Utf8("a = " + string.Concat(Enumerable.Repeat("{b = ", 20_000))), PolicyFormat.Toml, "deep inline tables");
        yield return (Utf8(string.Concat(Enumerable.Range(0, 5_000).Select(i => $"[t{i}]\n"))), PolicyFormat.Toml, "5000 tables");
        // 100 values for each of 4 variables in one path: 10^8 paths unless the importer caps them.
        string values = string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"{i}\""));
        string variables = string.Concat("abcd".Select(v => $"[[variable]]\nname = \"{v}\"\nliteral = [{values}]\n"));
        yield return (Utf8(variables + "[[path_beneath]]\nallowed_access = [\"read_dir\"]\nparent = [\"/${a}/${b}/${c}/${d}\"]\n"), PolicyFormat.Toml, "variable explosion");
        yield return (Utf8("{\"pathBeneath\":[{\"allowedAccess\":[\"read_dir\"],\"parent\":[\"/tmp\\u0000/etc\"]}]}"), PolicyFormat.Json, "NUL in path");
        var random = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            byte[] noise = new byte[random.Next(1, 400)];
            random.NextBytes(noise);
            yield return (noise, i % 2 == 0 ? PolicyFormat.Json : PolicyFormat.Toml, $"random bytes #{i}");
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Flip(byte[] original, Random random)
    {
        byte[] copy = (byte[])original.Clone();
        for (int n = random.Next(1, 4); n > 0; n--) copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }

    // A slice of the file pasted elsewhere in it: keeps tokens valid while breaking structure.
    private static byte[] Splice(byte[] original, Random random)
    {
        int start = random.Next(original.Length), length = random.Next(1, Math.Min(80, original.Length - start) + 1), at = random.Next(original.Length);
        return [.. original[..at], .. original.AsSpan(start, length), .. original[at..]];
    }

    private static byte[] Replace(byte[] original, string from, string to) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(original).Replace(from, to, StringComparison.Ordinal));
}
