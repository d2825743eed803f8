using System;
using System.Collections.Generic;
using System.Numerics;
using System.Text.Json;

namespace LandlockPS.Core.Policy;

/// <summary>Reads a JSON policy into a <see cref="PolicyNode"/> tree with System.Text.Json's reader, keeping token positions.</summary>
internal static class JsonPolicyReader
{
    private static readonly JsonReaderOptions Options = new()
    {
        MaxDepth = PolicyLimits.MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public static PolicyNode Read(ReadOnlySpan<byte> utf8, string file)
    {
        var lines = new LineMap(utf8);
        var reader = new Utf8JsonReader(utf8, Options);
        try
        {
            if (!reader.Read()) throw new PolicyException("PolicySyntaxError", file, null, "The file holds no JSON value. Expected a JSON object.");
            PolicyNode root = ReadValue(ref reader, lines, file);
            // Anything but whitespace after the document makes the reader throw here.
            reader.Read();
            return root;
        }
        catch (JsonException e)
        {
            PolicyLocation? at = e.LineNumber is long line && e.BytePositionInLine is long column
                ? new PolicyLocation((int)line + 1, (int)column + 1)
                : null;
            throw new PolicyException("PolicySyntaxError", file, at, $"This is not valid JSON: {PolicyLimits.Explain(WithoutPosition(e.Message))}", e);
        }
    }

    private static PolicyNode ReadValue(ref Utf8JsonReader reader, LineMap lines, string file)
    {
        PolicyLocation at = lines.Locate(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                PolicyNode table = PolicyNode.Table(at);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    string key = Text(ref reader, lines, file);
                    PolicyLocation keyAt = lines.Locate(reader.TokenStartIndex);
                    if (!seen.Add(key))
                    {
                        throw new PolicyException("PolicySyntaxError", file, keyAt, $"The key '{key}' appears twice in one object. Give each key once.");
                    }
                    reader.Read();
                    table.Members.Add(new(key, ReadValue(ref reader, lines, file)));
                }
                return table;
            case JsonTokenType.StartArray:
                PolicyNode array = PolicyNode.Array(at);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Items.Add(ReadValue(ref reader, lines, file));
                }
                return array;
            case JsonTokenType.String:
                return PolicyNode.String(Text(ref reader, lines, file), at);
            case JsonTokenType.Number:
                string digits = System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
                return BigInteger.TryParse(digits, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out BigInteger value)
                    ? PolicyNode.Number(value, at)
                    : PolicyNode.Other("a number with a fraction or exponent", at);
            case JsonTokenType.True:
            case JsonTokenType.False:
                return PolicyNode.Other("a boolean", at);
            default:
                return PolicyNode.Null(at);
        }
    }

    // The reader checks structure, not the UTF-8 inside strings; that surfaces when a string is decoded.
    private static string Text(ref Utf8JsonReader reader, LineMap lines, string file)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new PolicyException("PolicySyntaxError", file, lines.Locate(reader.TokenStartIndex), "A string here is not valid UTF-8. Policy files are UTF-8 text.", e);
        }
    }

    // The reader's messages end in its own position, which the error already carries.
    private static string WithoutPosition(string message)
    {
        int index = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return index < 0 ? message : message[..index];
    }
}
