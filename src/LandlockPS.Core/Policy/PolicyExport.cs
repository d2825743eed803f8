using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using LandlockPS.Core.Landlock;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Serialization;
using Tomlyn.Syntax;

namespace LandlockPS.Core.Policy;

/// <summary>A ruleset written as a landlockconfig policy, with what the format could not carry.</summary>
public sealed record PolicyExportResult(string Text, IReadOnlyList<string> Warnings);

/// <summary>
/// Writes rulesets as landlockconfig policies that read like hand-written ones: the ruleset's ABI is
/// the top-level abi, and rights are named by the largest abi.* group they hold whole (abi.all,
/// abi.read_write, abi.read_execute), then one by one, so the file means exactly the ruleset to
/// LandlockPS and to any reader that knows that abi. Rights newer than landlockconfig's schema are
/// always named, never hidden in a group, and a TOML file says so in a comment. Rules with the same
/// rights share one entry. Paths are escaped so a '$' in a name is never read as a variable.
/// </summary>
public static class PolicyExport
{
    /// <summary>The ruleset as landlockconfig text, with warnings about what the format cannot carry.</summary>
    public static PolicyExportResult ToText(LandlockRuleset ruleset, PolicyFormat format)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        if (ruleset.HandlesNothing)
        {
            // Nothing to write that a reader accepts: a file with only an abi is an empty configuration.
            throw new LandlockAccessException("EmptyRuleset",
                "The ruleset handles no right and no scope; landlockconfig has no way to write that (a file with only an abi is refused by every reader).");
        }
        var warnings = new List<string>();
        if (ruleset.LogFlags != LandlockRestrictFlags.None)
        {
            warnings.Add($"The log flags ({ruleset.LogFlags}) are not part of the landlockconfig format and are not written: set them again on the imported ruleset.");
        }
        if (ruleset.QuietAccessFs != 0 || ruleset.QuietAccessNet != 0 || ruleset.QuietScope != 0)
        {
            warnings.Add("The quiet settings (ABI 10) are not part of the landlockconfig format and are not written: denials the ruleset kept out of the audit log are logged after an import.");
        }
        if (ruleset.CompatibilityLevel != CompatibilityLevel.BestEffort)
        {
            warnings.Add($"The compatibility level ({ruleset.CompatibilityLevel}) is not part of the landlockconfig format; an import gets BestEffort: set CompatibilityLevel again on the imported ruleset.");
        }
        var document = new Document(ruleset);
        string[] beyond = document.BeyondSchema().Distinct().ToArray();
        if (beyond.Length > 0)
        {
            warnings.Add($"{string.Join(", ", beyond)} are newer than landlockconfig's schema and are written by name: LandlockPS reads them back, other tools refuse the file rather than enforce less. " +
                $"For a policy every reader knows, export a ruleset made for ABI {PolicyAccessNames.NewestInSchema} or older.");
        }
        string text = format == PolicyFormat.Json ? document.ToJson() : document.ToToml();
        return new PolicyExportResult(text, warnings);
    }

    /// <summary>The policy's content, format-neutral: each list of rights as the names to write.</summary>
    private sealed class Document(LandlockRuleset ruleset)
    {
        private readonly Names _handledFs = Names.Of(ruleset.HandledAccessFs, ruleset.Abi);
        private readonly Names _handledNet = Names.Of(ruleset.HandledAccessNet, ruleset.Abi);
        private readonly Names _scoped = Names.Of(ruleset.Scope, ruleset.Abi);

        private readonly (Names Access, string[] Parents)[] _paths = ruleset.PathRules
            .GroupBy(r => r.Access)
            .Select(g => (Names.Of(g.Key, ruleset.Abi), g.Select(r => PolicyTemplate.Escape(r.Path)).ToArray()))
            .ToArray();

        private readonly (Names Access, long[] Ports)[] _ports = ruleset.NetRules
            .GroupBy(r => r.Access)
            .Select(g => (Names.Of(g.Key, ruleset.Abi), g.Select(r => (long)r.Port).ToArray()))
            .ToArray();

        private bool HandlesAny => _handledFs.Count + _handledNet.Count + _scoped.Count > 0;

        public IEnumerable<string> BeyondSchema() =>
            new[] { _handledFs, _handledNet, _scoped }.Concat(_paths.Select(p => p.Access)).Concat(_ports.Select(p => p.Access)).SelectMany(n => n.BeyondSchema);

        public string ToJson()
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteNumber("abi", (int)ruleset.Abi);
                if (HandlesAny)
                {
                    json.WriteStartArray("ruleset");
                    json.WriteStartObject();
                    WriteJsonList(json, "handledAccessFs", _handledFs.Text);
                    WriteJsonList(json, "handledAccessNet", _handledNet.Text);
                    WriteJsonList(json, "scoped", _scoped.Text);
                    json.WriteEndObject();
                    json.WriteEndArray();
                }
                WriteJsonEntries(json, "pathBeneath", _paths, (j, parents) => WriteJsonList(j, "parent", parents));
                WriteJsonEntries(json, "netPort", _ports, (j, ports) =>
                {
                    j.WriteStartArray("port");
                    foreach (long port in ports) j.WriteNumberValue(port);
                    j.WriteEndArray();
                });
                json.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
        }

        public string ToToml()
        {
            var comments = new TomlMetadataStore();
            var root = new TomlTable { ["abi"] = (long)ruleset.Abi };
            if (HandlesAny)
            {
                var handled = new TomlTable();
                AddTomlList(handled, "handled_access_fs", _handledFs, comments);
                AddTomlList(handled, "handled_access_net", _handledNet, comments);
                AddTomlList(handled, "scoped", _scoped, comments);
                root["ruleset"] = new TomlTableArray { handled };
                Annotate(comments, root, "ruleset", BlankLine);
            }
            if (_paths.Length > 0)
            {
                var paths = new TomlTableArray();
                foreach ((Names access, string[] parents) in _paths)
                {
                    var entry = new TomlTable();
                    AddTomlList(entry, "allowed_access", access, comments);
                    entry["parent"] = TomlList(parents);
                    paths.Add(entry);
                }
                root["path_beneath"] = paths;
                Annotate(comments, root, "path_beneath", BlankLine);
            }
            if (_ports.Length > 0)
            {
                var ports = new TomlTableArray();
                foreach ((Names access, long[] numbers) in _ports)
                {
                    var entry = new TomlTable();
                    AddTomlList(entry, "allowed_access", access, comments);
                    entry["port"] = TomlList(numbers.Cast<object>());
                    ports.Add(entry);
                }
                root["net_port"] = ports;
                Annotate(comments, root, "net_port", BlankLine);
            }
            // TomlTable is written by Tomlyn's built-in model converter; no reflection over user types happens.
#pragma warning disable IL2026, IL3050
            return TomlSerializer.Serialize(root, new TomlSerializerOptions { MetadataStore = comments });
#pragma warning restore IL2026, IL3050
        }

        private static void WriteJsonList(Utf8JsonWriter json, string key, string[] values)
        {
            if (values.Length == 0) return;
            json.WriteStartArray(key);
            foreach (string value in values) json.WriteStringValue(value);
            json.WriteEndArray();
        }

        private static void WriteJsonEntries<T>(Utf8JsonWriter json, string key, (Names Access, T Targets)[] entries, Action<Utf8JsonWriter, T> writeTargets)
        {
            if (entries.Length == 0) return;
            json.WriteStartArray(key);
            foreach ((Names access, T targets) in entries)
            {
                json.WriteStartObject();
                WriteJsonList(json, "allowedAccess", access.Text);
                writeTargets(json, targets);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }

        private static void AddTomlList(TomlTable table, string key, Names names, TomlMetadataStore comments)
        {
            if (names.Count == 0) return;
            table[key] = TomlList(names.Text);
            if (names.BeyondSchema.Length == 0) return;
            // JSON has no comments; there the names themselves are the note (see Names.Of).
            Annotate(comments, table, key,
                new(TokenKind.Comment, $"# {string.Join(", ", names.BeyondSchema)}: newer than landlockconfig's schema, named so that a reader that does not know it refuses this file instead of enforcing less."),
                BlankLine);
        }

        private static readonly TomlSyntaxTriviaMetadata BlankLine = new(TokenKind.NewLine, "\n");

        /// <summary>Puts <paramref name="trivia"/> (comments, line breaks) before the line of <paramref name="key"/>.</summary>
        private static void Annotate(TomlMetadataStore store, TomlTable table, string key, params TomlSyntaxTriviaMetadata[] trivia)
        {
            TomlPropertiesMetadata properties = store.TryGetProperties(table, out TomlPropertiesMetadata? known) && known is not null ? known : new();
            properties.SetProperty(key, new TomlPropertyMetadata { LeadingTrivia = [.. trivia] });
            store.SetProperties(table, properties);
        }

        private static TomlArray TomlList(IEnumerable<object> values)
        {
            var list = new TomlArray();
            foreach (object value in values) list.Add(value);
            return list;
        }
    }

    /// <summary>The names written for one set of rights, and those of them landlockconfig's schema lacks.</summary>
    private sealed record Names(string[] Text, string[] BeyondSchema)
    {
        public int Count => Text.Length;

        public static Names Of<T>(T rights, LandlockAbi abi) where T : struct, Enum =>
            new([.. PolicyAccessNames.Spell(rights, abi)], [.. PolicyAccessNames.Names(PolicyAccessNames.BeyondSchemaOf(rights))]);
    }
}
