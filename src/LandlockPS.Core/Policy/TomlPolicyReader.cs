using System;
using System.Collections;
using Tomlyn;
using System.Linq;
using Tomlyn.Model;
using Tomlyn.Parsing;
using Tomlyn.Syntax;
using Tomlyn.Serialization;

namespace LandlockPS.Core.Policy;

/// <summary>
/// Reads a TOML policy into a <see cref="PolicyNode"/> tree with Tomlyn. Tomlyn keeps the position of
/// each key (not of each array element), so values are located by the key that holds them.
/// </summary>
internal static class TomlPolicyReader
{
    public static PolicyNode Read(string text, string file)
    {
        var metadata = new TomlMetadataStore();
        var options = new TomlSerializerOptions { MetadataStore = metadata, SourceName = file, MaxDepth = PolicyLimits.MaxDepth };
        TomlTable root;
        try
        {
            RequireValid(text, file, options);
            // TomlTable is read by Tomlyn's built-in model converter; no reflection over user types happens.
#pragma warning disable IL2026, IL3050
            root = TomlSerializer.Deserialize<TomlTable>(text, options)
#pragma warning restore IL2026, IL3050
                ?? throw new PolicyException("PolicySyntaxError", file, null, "The file holds no TOML document.");
        }
        catch (TomlException e)
        {
            PolicyLocation? at = e.Line is > 0 and int line ? new PolicyLocation(line, e.Column ?? 1) : null;
            throw new PolicyException("PolicySyntaxError", file, at, $"This is not valid TOML: {PolicyLimits.Explain(FirstDiagnostic(e))}", e);
        }
        return Convert(root, new PolicyLocation(1, 1), metadata);
    }

    // The model reader keeps the last of two equal keys; TOML forbids them, and in a policy a second
    // "parent" would silently replace the first. The syntax tree's validation catches every case.
    private static void RequireValid(string text, string file, TomlSerializerOptions options)
    {
        DocumentSyntax syntax = SyntaxParser.Parse(text, options, file, validate: true);
        if (syntax.Diagnostics.FirstOrDefault(d => d.Kind == DiagnosticMessageKind.Error) is { } error)
        {
            throw new PolicyException("PolicySyntaxError", file, new PolicyLocation(error.Span.Start.Line + 1, error.Span.Start.Column + 1),
                $"This is not valid TOML: {error.Message.TrimEnd('.')}.");
        }
    }

    private static PolicyNode Convert(object? value, PolicyLocation at, TomlMetadataStore metadata) => value switch
    {
        TomlTable table => ConvertTable(table, at, metadata),
        TomlTableArray tables => ConvertItems(tables, at, metadata),
        TomlArray array => ConvertItems(array, at, metadata),
        string text => PolicyNode.String(text, at),
        long number => PolicyNode.Number(number, at),
        bool => PolicyNode.Other("a boolean", at),
        double => PolicyNode.Other("a float", at),
        _ => PolicyNode.Other("a date or time", at),
    };

    private static PolicyNode ConvertTable(TomlTable table, PolicyLocation at, TomlMetadataStore metadata)
    {
        PolicyNode node = PolicyNode.Table(at);
        metadata.TryGetProperties(table, out TomlPropertiesMetadata? properties);
        foreach (var (key, value) in table)
        {
            PolicyLocation keyAt = properties is not null && properties.TryGetProperty(key, out TomlPropertyMetadata? property) && property?.Span is { } span
                ? new PolicyLocation(span.Start.Line + 1, span.Start.Column + 1)
                : at;
            node.Members.Add(new(key, Convert(value, keyAt, metadata)));
        }
        return node;
    }

    private static PolicyNode ConvertItems(IEnumerable items, PolicyLocation at, TomlMetadataStore metadata)
    {
        PolicyNode node = PolicyNode.Array(at);
        foreach (object? item in items) node.Items.Add(Convert(item, at, metadata));
        return node;
    }

    private static string FirstDiagnostic(TomlException e)
    {
        string message = e.Diagnostics is { Count: > 0 } diagnostics ? diagnostics[0].Message : e.Message;
        return message.TrimEnd('.') + ".";
    }
}
