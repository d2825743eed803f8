using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Policy;

/// <summary>A ruleset read from one or more policies, with what the reader had to tell about it.</summary>
public sealed record PolicyImportResult(LandlockRuleset Ruleset, IReadOnlyList<PolicyNote> Warnings, IReadOnlyList<PolicyNote> Details);

/// <summary>
/// Reads landlockconfig policies (JSON or TOML) from files, directories or text, and turns one (or a
/// composition of several) into a ruleset. A file is read whole and checked whole, so a bad file
/// yields an error and no policy. Rule paths are looked up as landlockconfig's own sandboxer does: a
/// path that does not exist is skipped with a warning, relative paths resolve against a base directory.
/// </summary>
public static class PolicyImport
{
    /// <summary>How policy text that came from standard input is named in messages.</summary>
    public const string StandardInputName = "<stdin>";

    /// <summary>The largest policy read, in bytes: policies are a few kilobytes.</summary>
    public const long MaxPolicyBytes = PolicyLimits.MaxFileBytes;

    /// <summary>Reads and resolves one file; <paramref name="format"/> null means by extension, else by content.</summary>
    public static PolicyImportResult FromFile(string path, PolicyFormat? format, string baseDirectory, string? name) =>
        ToRuleset(ReadFile(path, format), baseDirectory, name ?? Path.GetFileNameWithoutExtension(path));

    /// <summary>Reads and resolves policy text already in memory; <paramref name="file"/> names it in messages.</summary>
    public static PolicyImportResult FromBytes(byte[] bytes, string file, PolicyFormat format, string baseDirectory, string? name) =>
        ToRuleset(Read(bytes, file, format), baseDirectory, name);

    /// <summary>Reads the policy file at <paramref name="path"/>; <paramref name="format"/> null means by extension, else by content.</summary>
    public static LandlockPolicy ReadFile(string path, PolicyFormat? format)
    {
        byte[] bytes = ReadPolicyFile(path);
        return Read(bytes, path, format ?? FormatOf(path, bytes));
    }

    /// <summary>Reads policy text; <paramref name="source"/> names it in messages, <paramref name="format"/> null means by content.</summary>
    public static LandlockPolicy Read(byte[] bytes, string source, PolicyFormat? format)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0) throw Empty(source);
        if (bytes.Length > PolicyLimits.MaxFileBytes) throw TooLarge(source);
        ReadOnlySpan<byte> text = bytes.AsSpan();
        if (text.StartsWith("\uFEFF"u8)) text = text[3..];
        PolicyFormat actual = format ?? FormatOf(string.Empty, text);
        PolicyNode root = actual == PolicyFormat.Json ? JsonPolicyReader.Read(text, source) : TomlPolicyReader.Read(Decode(text, source), source);
        return PolicyInterpreter.Interpret(root, source, actual);
    }

    /// <summary>
    /// Reads the policies of a directory and composes them, as upstream's parse_directory does: its
    /// *.json and *.toml files (only one kind when <paramref name="format"/> is given; names are
    /// case-sensitive), not hidden ones, not what is not a regular file, in ordinal order of their
    /// names. Null, with every file's error (or one for a directory with no policy), if any fails.
    /// </summary>
    public static LandlockPolicy? ReadDirectory(string directory, PolicyFormat? format, out IReadOnlyList<PolicyException> errors)
    {
        var parts = new List<LandlockPolicy>();
        var problems = new List<PolicyException>();
        var skipped = new List<PolicyNote>();
        errors = problems;
        if (DirectoryFiles(directory, format, problems) is not { } files) return null;
        foreach (string file in files)
        {
            try
            {
                parts.Add(ReadFile(file, format));
            }
            catch (PolicyException e) when (e.ErrorId is "PolicyFileNotRegular" or "PolicyFileNotFound")
            {
                // A folder or FIFO named *.toml, or a file removed meanwhile: not a policy, as upstream has it.
                skipped.Add(new PolicyNote(new PolicyOrigin(file, null), "Skipping it: not a regular file."));
            }
            catch (PolicyException e)
            {
                problems.Add(e);
            }
        }
        if (problems.Count > 0) return null;
        if (parts.Count == 0)
        {
            problems.Add(new PolicyException("PolicyFileNotFound", directory, null,
                $"The directory holds no policy file ({(format is { } f ? $"*.{f.ToString().ToLowerInvariant()}" : "*.json or *.toml")}, not hidden). Name a directory of policies, or the files themselves."));
            return null;
        }
        LandlockPolicy composed = LandlockPolicy.Compose(parts);
        foreach (PolicyNote note in skipped) composed.Tell(note.Origin, note.Message);
        return composed;
    }

    /// <summary>Resolves a policy's variables and paths into a ruleset named <paramref name="name"/>.</summary>
    public static PolicyImportResult ToRuleset(LandlockPolicy policy, string baseDirectory, string? name)
    {
        ArgumentNullException.ThrowIfNull(policy);
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

    private static string[]? DirectoryFiles(string directory, PolicyFormat? format, List<PolicyException> problems)
    {
        string[] extensions = format switch
        {
            PolicyFormat.Json => [".json"],
            PolicyFormat.Toml => [".toml"],
            _ => [".json", ".toml"],
        };
        try
        {
            return Directory.EnumerateFileSystemEntries(directory)
                .Select(Path.GetFileName)
                .Where(n => !n!.StartsWith('.') && extensions.Any(e => n.EndsWith(e, StringComparison.Ordinal)))
                .Order(StringComparer.Ordinal)
                .Select(n => Path.Join(directory, n))
                .ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new PolicyException("PolicyFileUnreadable", directory, null, $"The directory cannot be listed: {e.Message}", e));
            return null;
        }
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
                PlainFileProblem.Empty => Empty(path),
                _ => TooLarge(path),
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

    private static PolicyException Empty(string source) =>
        new("PolicyEmpty", source, null, "The policy is empty. A policy needs at least one ruleset, path_beneath, net_port or variable entry.");

    private static PolicyException TooLarge(string source) =>
        new("PolicyFileTooLarge", source, null, $"The policy is larger than {PolicyLimits.MaxFileBytes / 1024} KiB; policies are small text files. Check that this is the right input.");

    private static string Decode(ReadOnlySpan<byte> text, string file)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(text);
        }
        catch (DecoderFallbackException e)
        {
            throw new PolicyException("PolicySyntaxError", file, new LineMap(text).Locate(e.Index), $"The file is not UTF-8 text (a bad byte at offset {e.Index}). TOML files are UTF-8.", e);
        }
    }

    /// <summary>Turns a policy's meaning into a ruleset: resolves variables, picks the ABI, expands and looks up paths.</summary>
    private sealed class Builder(LandlockPolicy policy, string baseDirectory)
    {
        private readonly List<PolicyNote> _warnings = [.. policy.Warnings];
        private readonly List<PolicyNote> _details = [.. policy.Details];

        // For what concerns the policy as a whole.
        private readonly PolicyOrigin _whole = new(string.Join(", ", policy.Sources), null);

        public PolicyImportResult Build(string? name)
        {
            LandlockRuleset ruleset = NewRuleset(name);
            foreach ((string variable, SortedSet<string> values) in policy.Variables)
            {
                // Legal, and what upstream does, but easy to miss in review: "${home}/" becomes "/".
                if (values.Contains(string.Empty))
                {
                    _warnings.Add(new(_whole, $"The variable '{variable}' has an empty value: a path such as '${{{variable}}}/' then names its parent folder, '/' for that one."));
                }
            }
            int budget = PolicyLimits.MaxExpandedPaths;
            foreach (PolicyPathRule rule in policy.PathRules)
            {
                budget -= AddPathRules(ruleset, rule, budget);
            }
            foreach ((ulong port, PolicyNetRule rule) in policy.NetRules)
            {
                if (port > LandlockNetRule.MaxPort)
                {
                    throw new PolicyException("PolicyInvalidPort", rule.Origin, $"The port {port} is out of range: a port is a number from 0 to {LandlockNetRule.MaxPort}.");
                }
                ruleset.AddNetRule((int)port, rule.Access);
                _details.Add(new(rule.Origin, $"Allowing {AccessText.FormatFlags(rule.Access)} on port {port}."));
            }
            if (ruleset.HandlesNothing)
            {
                _warnings.Add(new(_whole, "The policy handles no right and no scope, so it restricts nothing: a sandbox " +
                    "refuses to start with it (EmptyRuleset). A file of only variables is like this, and so is a composition with one."));
            }
            _details.Add(new(_whole, policy.Abi is null
                ? $"The ruleset is made for ABI {ruleset.Abi}, the oldest with every right the policy handles (it pins no abi)."
                : $"The ruleset is made for ABI {ruleset.Abi} (the policy pins abi {policy.Abi})."));
            return new PolicyImportResult(ruleset, _warnings, _details);
        }

        // Variables resolve here, after any composition, so a rule can use a variable another file defines.
        private int AddPathRules(LandlockRuleset ruleset, PolicyPathRule rule, int budget)
        {
            PolicyTemplate template = rule.Template;
            if (template.Variables.FirstOrDefault(v => !policy.Variables.ContainsKey(v)) is { } missing)
            {
                string anywhere = policy.Sources.Count > 1 ? " in any of the composed files" : string.Empty;
                throw new PolicyException("PolicyUndefinedVariable", rule.Origin,
                    $"'{template.Source}' uses the variable '{missing}', which no variable entry defines{anywhere}. Define it (name = \"{missing}\", literal = [...]) or fix the name.");
            }
            IReadOnlyList<string> paths = template.Expand(policy.Variables, budget,
                reason => new PolicyException("PolicyTooLarge", rule.Origin, $"The path '{template.Source}': {reason}"));
            if (paths.Count == 0) _warnings.Add(new(rule.Origin, $"'{template.Source}' names no path: a variable it uses has no value."));
            foreach (string path in paths)
            {
                if (NamesNoPath(path, rule)) continue;
                AddPathRule(ruleset, path, rule);
            }
            return paths.Count;
        }

        // An empty path names no file (upstream opens "" and fails); resolved against the base
        // directory it would silently grant that directory. A NUL would cut the path short where
        // the kernel reads it, granting a shorter path than the text shows.
        private bool NamesNoPath(string path, PolicyPathRule rule)
        {
            string source = rule.Template.Source;
            if (path.Contains('\0'))
            {
                throw new PolicyException("PolicyInvalidPath", rule.Origin,
                    $"The path '{source}' expands to a path with a NUL character (from a variable's value), which no path can hold.");
            }
            if (path.Length > 0) return false;
            _warnings.Add(new(rule.Origin, source.Length == 0 ? "Skipping an empty path: it names no file." : $"Skipping '{source}': it expands to an empty path, which names no file."));
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
                    _warnings.Add(new(_whole, $"The policy's abi {pinned} is newer than this module knows; its groups mean what they mean in {AbiFeatures.Newest}."));
                }
                abi = (LandlockAbi)Math.Max((int)needed, Math.Min(pinned, (int)AbiFeatures.Newest));
            }
            // Every right a policy names is in the ABI chosen (the oldest with them all, or a later one).
            return new LandlockRuleset(abi, policy.HandledAccessFs, policy.HandledAccessNet, policy.Scope, name: name);
        }

        private void AddPathRule(LandlockRuleset ruleset, string path, PolicyPathRule rule)
        {
            string full = Absolute(path);
            string source = rule.Template.Source;
            string from = full == source ? string.Empty : $" (from '{source}')";
            switch (ruleset.AddPathRuleIfPresent(full, rule.Access, out LandlockAccessFs granted, out string? problem))
            {
                case RuleTargetKind.Missing:
                    _warnings.Add(new(rule.Origin, $"Skipping '{full}'{from}: it does not exist."));
                    return;
                case RuleTargetKind.Inaccessible:
                    _warnings.Add(new(rule.Origin, $"Skipping '{full}'{from}: {problem}."));
                    return;
                case RuleTargetKind.File when granted != rule.Access:
                    // The policy's rights are all handled (it handles what its rules grant): what is
                    // left out applies only to directories.
                    _details.Add(new(rule.Origin, $"'{full}' is a file: leaving out {AccessText.Format(rule.Access & ~granted)}, which apply only to directories."));
                    break;
            }
            if (granted != LandlockAccessFs.None) _details.Add(new(rule.Origin, $"Allowing {AccessText.Format(granted, ruleset.HandledAccessFs)} on {full}{from}."));
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
