using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Policy;

/// <summary>A ruleset read from a policy file, with what the reader had to tell about it.</summary>
public sealed record PolicyImportResult(LandlockRuleset Ruleset, IReadOnlyList<string> Warnings, IReadOnlyList<string> Details);

/// <summary>
/// Reads landlockconfig policy files (JSON or TOML) into rulesets. A file is read whole and checked
/// whole before a ruleset comes out, so a bad file yields an error and no ruleset. Rule paths are
/// looked up as landlockconfig's own sandboxer does: a path that does not exist is skipped with a
/// warning, relative paths resolve against a base directory.
/// </summary>
public static class PolicyImport
{
    /// <summary>Reads the file at <paramref name="path"/>; <paramref name="format"/> null means by extension, else by content.</summary>
    public static PolicyImportResult FromFile(string path, PolicyFormat? format, string baseDirectory, string? name)
    {
        byte[] bytes = ReadPolicyFile(path);
        return FromBytes(bytes, path, format ?? FormatOf(path, bytes), baseDirectory, name ?? Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Reads policy text already in memory; <paramref name="file"/> names it in messages.</summary>
    public static PolicyImportResult FromBytes(byte[] bytes, string file, PolicyFormat format, string baseDirectory, string? name)
    {
        ReadOnlySpan<byte> text = bytes.AsSpan();
        if (text.StartsWith("\uFEFF"u8)) text = text[3..];
        PolicyNode root = format == PolicyFormat.Json ? JsonPolicyReader.Read(text, file) : TomlPolicyReader.Read(Decode(text, file), file);
        LandlockPolicy policy = PolicyInterpreter.Interpret(root, file, format);
        return new Builder(policy, baseDirectory).Build(name);
    }

    /// <summary>Json for a .json file, Toml for .toml; otherwise a document starting with '{' is JSON.</summary>
    public static PolicyFormat FormatOf(string path, ReadOnlySpan<byte> content)
    {
        string extension = Path.GetExtension(path);
        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase)) return PolicyFormat.Json;
        if (extension.Equals(".toml", StringComparison.OrdinalIgnoreCase)) return PolicyFormat.Toml;
        int first = content.IndexOfAnyExcept(" \t\r\n"u8);
        return first >= 0 && content[first] == (byte)'{' ? PolicyFormat.Json : PolicyFormat.Toml;
    }

    private static byte[] ReadPolicyFile(string path)
    {
        using FileStream? stream = PlainFile.TryOpen(path, followLinks: true, PolicyLimits.MaxFileBytes, out PlainFileProblem problem, out int errno);
        if (stream is null)
        {
            throw problem switch
            {
                PlainFileProblem.OpenFailed when errno is Errno.ENOENT or Errno.ENOTDIR =>
                    new PolicyException("PolicyFileNotFound", path, null, "The policy file does not exist. Check the path."),
                PlainFileProblem.OpenFailed =>
                    new PolicyException("PolicyFileUnreadable", path, null, $"The policy file cannot be opened ({Errno.Name(errno)}). Check its permissions."),
                PlainFileProblem.NotRegular =>
                    new PolicyException("PolicyFileNotRegular", path, null, "This is not a regular file (a directory, FIFO, device or socket). Name a policy file."),
                PlainFileProblem.Empty =>
                    new PolicyException("PolicyEmpty", path, null, "The policy file is empty. A policy needs at least one ruleset, path_beneath, net_port or variable entry."),
                _ => new PolicyException("PolicyFileTooLarge", path, null, $"The policy file is larger than {PolicyLimits.MaxFileBytes / 1024} KiB; policies are small text files. Check that this is the right file."),
            };
        }
        // At most one byte past the cap: the size was checked on open, but a file can grow while it is read.
        byte[] buffer = new byte[PolicyLimits.MaxFileBytes + 1];
        int length = 0, read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0) length += read;
        if (length > PolicyLimits.MaxFileBytes)
        {
            throw new PolicyException("PolicyFileTooLarge", path, null, $"The policy file grew past {PolicyLimits.MaxFileBytes / 1024} KiB while it was read.");
        }
        return buffer[..length];
    }

    private static string Decode(ReadOnlySpan<byte> text, string file)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(text);
        }
        catch (DecoderFallbackException e)
        {
            throw new PolicyException("PolicySyntaxError", file, null, $"The file is not UTF-8 text (bad byte at offset {e.Index}). TOML files are UTF-8.", e);
        }
    }

    /// <summary>Turns a policy's meaning into a ruleset: picks the ABI, expands and looks up paths.</summary>
    private sealed class Builder(LandlockPolicy policy, string baseDirectory)
    {
        private readonly List<string> _warnings = [];
        private readonly List<string> _details = [];

        public PolicyImportResult Build(string? name)
        {
            LandlockRuleset ruleset = NewRuleset(name);
            foreach ((string variable, SortedSet<string> values) in policy.Variables)
            {
                // Legal, and what upstream does, but easy to miss in review: "${home}/" becomes "/".
                if (values.Contains(string.Empty))
                {
                    _warnings.Add($"The variable '{variable}' has an empty value: a path such as '${{{variable}}}/' then names its parent folder, '/' for that one.");
                }
            }
            int budget = PolicyLimits.MaxExpandedPaths;
            foreach ((PolicyTemplate template, LandlockAccessFs access, PolicyLocation? location) in policy.PathRules)
            {
                IReadOnlyList<string> paths = template.Expand(policy.Variables, budget,
                    reason => new PolicyException("PolicyTooLarge", policy.File, location, $"The path '{template.Source}': {reason}"));
                budget -= paths.Count;
                if (paths.Count == 0) _warnings.Add($"'{template.Source}' names no path: a variable it uses has no value.");
                foreach (string path in paths)
                {
                    if (NamesNoPath(path, template.Source, location)) continue;
                    AddPathRule(ruleset, path, access, template.Source);
                }
            }
            foreach ((int port, LandlockAccessNet access) in policy.NetRules)
            {
                ruleset.AddNetRule(port, access);
                _details.Add($"Allowing {AccessText.FormatFlags(access)} on port {port}.");
            }
            return new PolicyImportResult(ruleset, _warnings, _details);
        }

        // An empty path names no file (upstream opens "" and fails); resolved against the base
        // directory it would silently grant that directory. A NUL would cut the path short where
        // the kernel reads it, granting a shorter path than the text shows.
        private bool NamesNoPath(string path, string source, PolicyLocation? location)
        {
            if (path.Contains('\0'))
            {
                throw new PolicyException("PolicyInvalidPath", policy.File, location,
                    $"The path '{source}' expands to a path with a NUL character (from a variable's value), which no path can hold.");
            }
            if (path.Length > 0) return false;
            _warnings.Add(source.Length == 0 ? "Skipping an empty path: it names no file." : $"Skipping '{source}': it expands to an empty path, which names no file.");
            return true;
        }

        private LandlockRuleset NewRuleset(string? name)
        {
            LandlockAbi needed = new[]
            {
                AbiFeatures.FirstProviding(policy.HandledAccessFs), AbiFeatures.FirstProviding(policy.HandledAccessNet), AbiFeatures.FirstProviding(policy.Scope),
            }.Max(a => a ?? AbiFeatures.Newest);
            LandlockAbi abi = needed;
            if (policy.Abi is int pinned)
            {
                if (pinned > (int)AbiFeatures.Newest)
                {
                    _warnings.Add($"The policy's abi {pinned} is newer than this module knows; its groups mean what they mean in {AbiFeatures.Newest}.");
                }
                abi = (LandlockAbi)Math.Max((int)needed, Math.Min(pinned, (int)AbiFeatures.Newest));
            }
            try
            {
                return new LandlockRuleset(abi, policy.HandledAccessFs, policy.HandledAccessNet, policy.Scope, name: name);
            }
            catch (LandlockAccessException e)
            {
                throw new PolicyException(e.ErrorId, policy.File, null, e.Message, e);
            }
        }

        private void AddPathRule(LandlockRuleset ruleset, string path, LandlockAccessFs access, string source)
        {
            string full = Absolute(path);
            string from = full == source ? string.Empty : $" (from '{source}')";
            switch (ruleset.AddPathRuleIfPresent(full, access, out LandlockAccessFs granted, out string? problem))
            {
                case RuleTargetKind.Missing:
                    _warnings.Add($"Skipping '{full}'{from}: it does not exist.");
                    return;
                case RuleTargetKind.Inaccessible:
                    _warnings.Add($"Skipping '{full}'{from}: {problem}.");
                    return;
                case RuleTargetKind.File when granted != access:
                    // The policy's rights are all handled (it handles what its rules grant): what is
                    // left out applies only to directories.
                    _details.Add($"'{full}' is a file: leaving out {AccessText.Format(access & ~granted)}, which apply only to directories.");
                    break;
            }
            if (granted != LandlockAccessFs.None) _details.Add($"Allowing {AccessText.Format(granted, ruleset.HandledAccessFs)} on {full}{from}.");
        }

        // Relative to the base directory; "." and empty segments dropped as landlockconfig's path
        // type does, ".." kept so the kernel resolves it through links as it would for the file's author.
        private string Absolute(string path)
        {
            string joined = path.StartsWith('/') ? path : baseDirectory + "/" + path;
            return "/" + string.Join('/', joined.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "."));
        }
    }
}
