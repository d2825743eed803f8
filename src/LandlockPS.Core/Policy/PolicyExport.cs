using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using LandlockPS.Core.Landlock;
using Tomlyn;
using Tomlyn.Model;

namespace LandlockPS.Core.Policy;

/// <summary>A ruleset written as a landlockconfig policy, with what the format could not carry.</summary>
public sealed record PolicyExportResult(string Text, IReadOnlyList<string> Warnings);

/// <summary>
/// Writes rulesets as landlockconfig policies. Rights are spelled out one by one (no groups), with
/// the ruleset's ABI as the top-level abi, so the file means the same to any reader; rules with the
/// same rights share one entry. Paths are escaped so a '$' in a name is never read as a variable.
/// </summary>
public static class PolicyExport
{
    public static PolicyExportResult ToText(LandlockRuleset ruleset, PolicyFormat format)
    {
        var warnings = new List<string>();
        if (ruleset.LogFlags != LandlockRestrictFlags.None)
        {
            warnings.Add($"The log flags ({ruleset.LogFlags}) are not part of the landlockconfig format and are not written: set them again on the imported ruleset.");
        }
        if (ruleset.CompatibilityLevel != CompatibilityLevel.BestEffort)
        {
            warnings.Add($"The compatibility level ({ruleset.CompatibilityLevel}) is not part of the landlockconfig format; an import gets BestEffort: set CompatibilityLevel again on the imported ruleset.");
        }
        var document = new Document(ruleset);
        string[] beyond = document.Names().Where(PolicyAccessNames.BeyondSchema.Contains).Distinct().ToArray();
        if (beyond.Length > 0)
        {
            warnings.Add($"{string.Join(", ", beyond)} are newer than landlockconfig's schema: LandlockPS reads them back, other tools may not. " +
                $"For a policy every reader knows, export a ruleset made with -Abi {PolicyAccessNames.NewestInSchema} or older.");
        }
        string text = format == PolicyFormat.Json ? document.ToJson() : document.ToToml();
        return new PolicyExportResult(text, warnings);
    }

    /// <summary>The policy's content, format-neutral.</summary>
    private sealed class Document(LandlockRuleset ruleset)
    {
        private readonly string[] _handledFs = PolicyAccessNames.Names(ruleset.HandledAccessFs).ToArray();
        private readonly string[] _handledNet = PolicyAccessNames.Names(ruleset.HandledAccessNet).ToArray();
        private readonly string[] _scoped = PolicyAccessNames.Names(ruleset.Scope).ToArray();

        private readonly (string[] Access, string[] Parents)[] _paths = ruleset.PathRules
            .GroupBy(r => r.Access)
            .Select(g => (PolicyAccessNames.Names(g.Key).ToArray(), g.Select(r => PolicyTemplate.Escape(r.Path)).ToArray()))
            .ToArray();

        private readonly (string[] Access, long[] Ports)[] _ports = ruleset.NetRules
            .GroupBy(r => r.Access)
            .Select(g => (PolicyAccessNames.Names(g.Key).ToArray(), g.Select(r => (long)r.Port).ToArray()))
            .ToArray();

        public IEnumerable<string> Names() =>
            _handledFs.Concat(_handledNet).Concat(_scoped).Concat(_paths.SelectMany(p => p.Access)).Concat(_ports.SelectMany(p => p.Access));

        public string ToJson()
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteNumber("abi", (int)ruleset.Abi);
                json.WriteStartArray("ruleset");
                json.WriteStartObject();
                WriteJsonList(json, "handledAccessFs", _handledFs);
                WriteJsonList(json, "handledAccessNet", _handledNet);
                WriteJsonList(json, "scoped", _scoped);
                json.WriteEndObject();
                json.WriteEndArray();
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
            var root = new TomlTable { ["abi"] = (long)ruleset.Abi };
            var handled = new TomlTable();
            AddTomlList(handled, "handled_access_fs", _handledFs);
            AddTomlList(handled, "handled_access_net", _handledNet);
            AddTomlList(handled, "scoped", _scoped);
            root["ruleset"] = new TomlTableArray { handled };
            if (_paths.Length > 0)
            {
                var paths = new TomlTableArray();
                foreach ((string[] access, string[] parents) in _paths)
                {
                    var entry = new TomlTable();
                    AddTomlList(entry, "allowed_access", access);
                    AddTomlList(entry, "parent", parents);
                    paths.Add(entry);
                }
                root["path_beneath"] = paths;
            }
            if (_ports.Length > 0)
            {
                var ports = new TomlTableArray();
                foreach ((string[] access, long[] numbers) in _ports)
                {
                    var entry = new TomlTable();
                    AddTomlList(entry, "allowed_access", access);
                    var list = new TomlArray();
                    foreach (long port in numbers) list.Add(port);
                    entry["port"] = list;
                    ports.Add(entry);
                }
                root["net_port"] = ports;
            }
            // TomlTable is written by Tomlyn's built-in model converter; no reflection over user types happens.
#pragma warning disable IL2026, IL3050
            return TomlSerializer.Serialize(root);
#pragma warning restore IL2026, IL3050
        }

        private static void WriteJsonList(Utf8JsonWriter json, string key, string[] values)
        {
            if (values.Length == 0) return;
            json.WriteStartArray(key);
            foreach (string value in values) json.WriteStringValue(value);
            json.WriteEndArray();
        }

        private static void WriteJsonEntries<T>(Utf8JsonWriter json, string key, (string[] Access, T Targets)[] entries, Action<Utf8JsonWriter, T> writeTargets)
        {
            if (entries.Length == 0) return;
            json.WriteStartArray(key);
            foreach ((string[] access, T targets) in entries)
            {
                json.WriteStartObject();
                WriteJsonList(json, "allowedAccess", access);
                writeTargets(json, targets);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }

        private static void AddTomlList(TomlTable table, string key, string[] values)
        {
            if (values.Length == 0) return;
            var list = new TomlArray();
            foreach (string value in values) list.Add(value);
            table[key] = list;
        }
    }
}
