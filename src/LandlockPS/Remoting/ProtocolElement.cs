using System;
using System.Buffers;

namespace LandlockPS.Remoting;

/// <summary>The packets of PowerShell's out-of-process protocol; each is answered by its ...Ack.</summary>
internal enum PacketKind
{
    Data,
    Command,
    Close,
    Signal,
}

/// <summary>
/// Reads the elements a remoting server sends, exactly as PowerShell writes them, from the bytes of
/// one line: nothing is decoded or allocated before a line is known to be one of them. Anything that
/// differs by a byte (another spacing, an upper-case GUID, a character outside base64) is not.
/// </summary>
internal static class ProtocolElement
{
    private const int GuidChars = 36;
    private static readonly SearchValues<byte> Base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8);
    private static readonly SearchValues<byte> WordCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"u8);
    private static readonly SearchValues<byte> LowerHex = SearchValues.Create("0123456789abcdef"u8);

    /// <summary>A data line of the session's or a command's stream (<paramref name="stream"/>), holding <paramref name="fragments"/>, as PowerShell's server writes it.</summary>
    public static string DataLine(Guid stream, bool promptResponse, ReadOnlySpan<byte> fragments) =>
        $"{DataLineStart(stream, promptResponse)}{Convert.ToBase64String(fragments)}</Data>";

    /// <summary>How such a data line starts, up to its base64.</summary>
    public static string DataLineStart(Guid stream, bool promptResponse) =>
        $"<Data Stream='{(promptResponse ? PromptResponseStream : DefaultStream)}' PSGuid='{stream}'>";

    // The streams a data line names, as PowerShell writes them.
    private const string DefaultStream = "Default";
    private const string PromptResponseStream = "PromptResponse";

    /// <summary><c>&lt;DataAck PSGuid='…' /&gt;</c>, or the same for Command, Close, Signal.</summary>
    public static bool TryParseAck(ReadOnlySpan<byte> line, out PacketKind kind, out Guid guid)
    {
        guid = default;
        if (!TryTag(line, out kind, out int tagLength)) return false;
        ReadOnlySpan<byte> rest = line[tagLength..];
        return rest.StartsWith("Ack PSGuid='"u8)
            && rest.Length == "Ack PSGuid='"u8.Length + GuidChars + "' />"u8.Length
            && rest.EndsWith("' />"u8)
            && TryParseGuid(rest.Slice("Ack PSGuid='"u8.Length, GuidChars), out guid);
    }

    /// <summary>
    /// What PowerShell's client writes that its server answers, up to its PSGuid:
    /// <c>&lt;Data Stream='Default' PSGuid='…'</c>, <c>&lt;Command PSGuid='…'</c>, and the same for Close
    /// and Signal. A stream, a word, may come before the PSGuid of any of them.
    /// </summary>
    public static bool TryParseSent(ReadOnlySpan<byte> line, out PacketKind kind, out Guid guid)
    {
        guid = default;
        if (!TryTag(line, out kind, out int tagLength) || !line[tagLength..].StartsWith(" "u8)) return false;
        ReadOnlySpan<byte> rest = line[(tagLength + 1)..];
        if (rest.StartsWith("Stream='"u8))
        {
            ReadOnlySpan<byte> stream = rest["Stream='"u8.Length..];
            int end = stream.IndexOfAnyExcept(WordCharacters);
            if (end <= 0 || !stream[end..].StartsWith("' "u8)) return false;
            rest = stream[(end + 2)..];
        }
        return rest.StartsWith("PSGuid='"u8) && rest.Length >= "PSGuid='"u8.Length + GuidChars + 1
            && rest["PSGuid='"u8.Length..][GuidChars] == (byte)'\''
            && TryParseGuid(rest.Slice("PSGuid='"u8.Length, GuidChars), out guid);
    }

    /// <summary>
    /// <c>&lt;Data Stream='Default|PromptResponse' PSGuid='…'&gt;base64&lt;/Data&gt;</c>; the base64 is
    /// checked for its alphabet and padding, not decoded.
    /// </summary>
    public static bool TryParseData(ReadOnlySpan<byte> line, out bool promptResponse, out Guid guid, out ReadOnlySpan<byte> base64)
    {
        guid = default;
        base64 = default;
        promptResponse = false;
        if (line.Length < "<Data Stream='"u8.Length + "</Data>"u8.Length || !line.StartsWith("<Data Stream='"u8) || !line.EndsWith("</Data>"u8)) return false;
        ReadOnlySpan<byte> rest = line["<Data Stream='"u8.Length..^"</Data>"u8.Length];
        if (rest.StartsWith("Default"u8)) rest = rest["Default"u8.Length..];
        else if (rest.StartsWith("PromptResponse"u8))
        {
            promptResponse = true;
            rest = rest["PromptResponse"u8.Length..];
        }
        else return false;
        if (!rest.StartsWith("' PSGuid='"u8)) return false;
        rest = rest["' PSGuid='"u8.Length..];
        if (rest.Length < GuidChars + 2 || !TryParseGuid(rest[..GuidChars], out guid) || !rest[GuidChars..].StartsWith("'>"u8)) return false;
        base64 = rest[(GuidChars + 2)..];
        return IsBase64Text(base64);
    }

    // [A-Za-z0-9+/]* then at most two '='. Whitespace, which decoders skip, is not base64 here.
    private static bool IsBase64Text(ReadOnlySpan<byte> text)
    {
        int end = text.IndexOfAnyExcept(Base64Alphabet);
        if (end < 0) return true;
        ReadOnlySpan<byte> padding = text[end..];
        return padding.SequenceEqual("="u8) || padding.SequenceEqual("=="u8);
    }

    private static bool TryTag(ReadOnlySpan<byte> line, out PacketKind kind, out int length)
    {
        (kind, length) = line switch
        {
            _ when line.StartsWith("<Data"u8) => (PacketKind.Data, "<Data"u8.Length),
            _ when line.StartsWith("<Command"u8) => (PacketKind.Command, "<Command"u8.Length),
            _ when line.StartsWith("<Close"u8) => (PacketKind.Close, "<Close"u8.Length),
            _ when line.StartsWith("<Signal"u8) => (PacketKind.Signal, "<Signal"u8.Length),
            _ => (default(PacketKind), 0),
        };
        return length > 0;
    }

    // 8-4-4-4-12 lower-case hex digits, as PowerShell writes a GUID.
    private static bool TryParseGuid(ReadOnlySpan<byte> text, out Guid guid)
    {
        guid = default;
        if (text.Length != GuidChars) return false;
        for (int i = 0; i < GuidChars; i++)
        {
            bool dash = i is 8 or 13 or 18 or 23;
            if (dash ? text[i] != (byte)'-' : !LowerHex.Contains(text[i])) return false;
        }
        guid = Guid.Parse(text);
        return true;
    }
}
