using System.Collections.Generic;
using System.Numerics;

namespace LandlockPS.Core.Policy;

/// <summary>Where a value sits in a policy file, 1-based, as far as the parser reports it.</summary>
public readonly record struct PolicyLocation(int Line, int Column)
{
    /// <inheritdoc/>
    public override string ToString() => $"line {Line}, column {Column}";
}

/// <summary>Turns byte offsets of a policy's text into 1-based line and column (a column counts bytes).</summary>
internal sealed class LineMap
{
    private readonly List<long> _starts = [0];

    public LineMap(System.ReadOnlySpan<byte> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == (byte)'\n') _starts.Add(i + 1);
        }
    }

    public PolicyLocation Locate(long offset)
    {
        int index = _starts.BinarySearch(offset);
        int line = index >= 0 ? index : ~index - 1;
        return new PolicyLocation(line + 1, (int)(offset - _starts[line]) + 1);
    }
}

internal enum PolicyNodeKind
{
    Table,
    Array,
    String,
    Integer,
    /// <summary>JSON's null: an optional key given as null is absent, as upstream's parser reads it.</summary>
    Null,
    /// <summary>A value no policy key accepts (boolean, float, date); <see cref="PolicyNode.Text"/> names its type.</summary>
    Other,
}

/// <summary>
/// A parsed policy document, the same shape whether it came from JSON or TOML, so the meaning of a
/// policy is read in one place. Members keep file order; locations are where the parser has them.
/// </summary>
internal sealed class PolicyNode
{
    private PolicyNode(PolicyNodeKind kind, PolicyLocation? location)
    {
        Kind = kind;
        Location = location;
    }

    public PolicyNodeKind Kind { get; }

    public PolicyLocation? Location { get; }

    /// <summary>A string's value, or the type name of an <see cref="PolicyNodeKind.Other"/> value.</summary>
    public string Text { get; private init; } = string.Empty;

    public BigInteger Integer { get; private init; }

    public List<KeyValuePair<string, PolicyNode>> Members { get; } = [];

    public List<PolicyNode> Items { get; } = [];

    public static PolicyNode Table(PolicyLocation? location) => new(PolicyNodeKind.Table, location);

    public static PolicyNode Array(PolicyLocation? location) => new(PolicyNodeKind.Array, location);

    public static PolicyNode String(string value, PolicyLocation? location) => new(PolicyNodeKind.String, location) { Text = value };

    public static PolicyNode Number(BigInteger value, PolicyLocation? location) => new(PolicyNodeKind.Integer, location) { Integer = value };

    public static PolicyNode Other(string typeName, PolicyLocation? location) => new(PolicyNodeKind.Other, location) { Text = typeName };

    public static PolicyNode Null(PolicyLocation? location) => new(PolicyNodeKind.Null, location) { Text = "null" };

    /// <summary>What this value is, for messages: "a string", "an array", "a boolean".</summary>
    public string Describe() => Kind switch
    {
        PolicyNodeKind.Table => "a table (object)",
        PolicyNodeKind.Array => "an array",
        PolicyNodeKind.String => "a string",
        PolicyNodeKind.Integer => "an integer",
        _ => Text,
    };
}
