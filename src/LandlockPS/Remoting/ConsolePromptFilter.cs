using System;
using System.Buffers;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text;
using System.Xml;

namespace LandlockPS.Remoting;

/// <summary>
/// The prompt <c>Enter-PSSession</c> shows. Before each line you type, the console host runs the
/// session's own <c>prompt</c> function in the session and writes what it returns after
/// <c>[landlock]: </c>, as it is: a carriage return there would rub the mark out and leave a prompt
/// that looks like your own shell's, and an escape sequence would act on your terminal. The filter
/// knows the console host's prompt command by what the client sends to create it, and replaces
/// every object that command outputs with the text the console host would show, made plain
/// (<see cref="HostText.Plain"/>) and short enough to stay on the mark's line. A command is taken
/// for the prompt until its creation shows it is not: a sandbox learns a command's id before the
/// client sends what the command is, and the client takes output for it at once.
/// </summary>
internal sealed class ConsolePromptFilter(Func<Guid, bool> isRunning)
{
    // Left of the line you type on an 80-column terminal, after "[landlock]: ", in columns: a wide
    // character takes two, and 48 of them would wrap the line you type on past the mark.
    internal const int MaxPromptColumns = 48;
    private const string Cut = "[...]";
    // The most of one output object kept: far more than any prompt, far less than the object a
    // server may send (MaximumReceivedObjectSize, 200 MB by default), which would be held whole,
    // then copied as text and read, several times its size, for 48 columns of it.
    internal const int MaxPromptObjectBytes = 64 << 10;
    // The console host's command, as PowerShell's client serializes it: "prompt", not a script,
    // and alone: a creation message names one "Cmd" per command of the pipeline.
    private static readonly byte[] CommandName = Encoding.UTF8.GetBytes("<S N=\"Cmd\">");
    private static readonly byte[] PromptCommand = Encoding.UTF8.GetBytes("<S N=\"Cmd\">prompt</S><B N=\"IsScript\">false</B>");
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];
    private const string Objects = "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">";

    private readonly object _lock = new();
    // Commands sent whose creation message is not complete yet, with what has come of it.
    private readonly Dictionary<Guid, ArrayBufferWriter<byte>?> _unclassified = [];
    private readonly HashSet<Guid> _prompts = [];
    // An output object of a prompt command being received, by the stream that carries it.
    private readonly Dictionary<(Guid Stream, bool PromptResponse), PartialOutput> _partials = [];
    // Whether there is anything to watch: a command whose output is replaced, or some of it held.
    private volatile bool _open;

    /// <summary>Notes a line the client sends (<paramref name="packet"/>, as the guard read it), before the server can see it.</summary>
    public void Sent(SentPacket? packet, ReadOnlySpan<byte> line)
    {
        if (packet is not { } sent) return;
        ArrayBufferWriter<byte>? creation;
        lock (_lock)
        {
            switch (sent.Kind)
            {
                case PacketKind.Command:
                    _unclassified[sent.Guid] = null;
                    Recount();
                    return;
                case PacketKind.Close:
                    _unclassified.Remove(sent.Guid);
                    Recount();
                    return;
                case PacketKind.Data when _unclassified.TryGetValue(sent.Guid, out creation):
                    break;
                default:
                    return;
            }
        }
        // PowerShell sends a line at a time: only this thread reads a command's creation, and the
        // command stays replaced meanwhile. The server's lines are not held up while it is read.
        bool? prompt = Classify(ref creation, line);
        lock (_lock)
        {
            if (prompt is null) _unclassified[sent.Guid] = creation;
            else
            {
                _unclassified.Remove(sent.Guid);
                if (prompt.Value) _prompts.Add(sent.Guid);
            }
            Recount();
        }
    }

    private void Recount() => _open = _unclassified.Count + _prompts.Count + _partials.Count > 0;

    private bool IsReplaced(Guid command) => _prompts.Contains(command) || _unclassified.ContainsKey(command);

    // Whether the command is the prompt, once its creation message is complete; null while more of
    // it is to come, kept in <paramref name="creation"/>. A creation within one line, the usual
    // case, is read where it was decoded.
    private static bool? Classify(ref ArrayBufferWriter<byte>? creation, ReadOnlySpan<byte> line)
    {
        if (!ProtocolElement.TryParseData(line, out _, out _, out ReadOnlySpan<byte> base64)) return null;
        using DecodedData data = DecodedData.Of(base64);
        ReadOnlySpan<byte> rest = data.Bytes;
        while (!rest.IsEmpty)
        {
            RemotingFragment fragment = RemotingFragment.Next(ref rest);
            if (fragment.Starts && fragment.Ends) return IsPromptCreation(fragment.Blob);
            if (fragment.Starts) creation = new ArrayBufferWriter<byte>();
            creation?.Write(fragment.Blob);
            if (fragment.Ends && creation is not null) return IsPromptCreation(creation.WrittenSpan);
        }
        return null;
    }

    private static bool IsPromptCreation(ReadOnlySpan<byte> message) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(message.Slice(4, 4)) == MessageType.CreatePipeline
        && message.IndexOf(PromptCommand) >= 0
        && message.IndexOf(CommandName) == message.LastIndexOf(CommandName);

    /// <summary>
    /// Rewrites a line the server sent, once the guard has passed it: false when it stays as it is;
    /// else <paramref name="replaced"/> is the line to hand on, or null when nothing of it is left.
    /// </summary>
    public bool TryRewrite(ReadOnlySpan<byte> element, out string? replaced)
    {
        replaced = null;
        if (!_open) return false;
        if (ProtocolElement.TryParseAck(element, out PacketKind kind, out Guid acknowledged))
        {
            if (kind == PacketKind.Close && !isRunning(acknowledged)) Forget(acknowledged);
            return false;
        }
        if (!ProtocolElement.TryParseData(element, out bool promptResponse, out Guid stream, out ReadOnlySpan<byte> base64)) return false;
        using DecodedData data = DecodedData.Of(base64);
        lock (_lock)
        {
            if (Rewrite(data.Bytes, (stream, promptResponse)) is not { } fragments) return false;
            replaced = fragments.WrittenCount == 0 ? null : ProtocolElement.DataLine(stream, promptResponse, fragments.WrittenSpan);
            return true;
        }
    }

    // The fragments of a data line with every output object of a prompt command replaced; null when
    // it holds none. Whatever else the line holds is kept as it is, in place. A message is told by
    // the PowerShell id in its header, not by the stream that carries it: the client takes a
    // command's messages from the session's stream too.
    private ArrayBufferWriter<byte>? Rewrite(ReadOnlySpan<byte> data, (Guid, bool) stream)
    {
        ArrayBufferWriter<byte>? kept = null;
        int keptUpTo = 0;
        ReadOnlySpan<byte> rest = data;
        while (!rest.IsEmpty)
        {
            int at = data.Length - rest.Length;
            RemotingFragment fragment = RemotingFragment.Next(ref rest);
            if (fragment.Starts)
            {
                // A new object ends the one before on this stream, for the client too.
                _partials.Remove(stream);
                if (fragment.MessageType == MessageType.PipelineOutput && IsReplaced(fragment.PowerShellId))
                {
                    _partials[stream] = new PartialOutput(fragment.ObjectId, fragment.PowerShellId, fragment.Blob[..RemotingFragment.MessageHeaderBytes].ToArray());
                }
            }
            if (!_partials.TryGetValue(stream, out PartialOutput? output) || output.ObjectId != fragment.ObjectId) continue;
            kept ??= new ArrayBufferWriter<byte>(data.Length);
            kept.Write(data[keptUpTo..at]);
            keptUpTo = data.Length - rest.Length;
            output.Add(fragment.Starts ? fragment.Blob[RemotingFragment.MessageHeaderBytes..] : fragment.Blob);
            if (!fragment.Ends) continue;
            _partials.Remove(stream);
            RemotingFragment.WriteWhole(kept, fragment.ObjectId, output.Header, Shown(output.Body));
        }
        kept?.Write(data[keptUpTo..]);
        Recount();
        return kept;
    }

    // A closed command's output is over, on its own streams and the session's: what it left
    // unfinished goes, or a sandbox could leave a large object behind for every command.
    private void Forget(Guid command)
    {
        lock (_lock)
        {
            _prompts.Remove(command);
            List<(Guid, bool)> ended = [];
            foreach (KeyValuePair<(Guid Stream, bool), PartialOutput> partial in _partials)
            {
                if (partial.Key.Stream == command || partial.Value.Command == command) ended.Add(partial.Key);
            }
            foreach ((Guid, bool) stream in ended) _partials.Remove(stream);
            Recount();
        }
    }

    // The body of the object the console host shows: what it would show (the first object's base
    // object as text), plain and short, serialized as PowerShell would.
    private static byte[] Shown(ReadOnlySpan<byte> body)
    {
        string shown = OnTheMarksLine(HostText.Plain(ShownBy(body)));
        string objects = PSSerializer.Serialize(shown);
        int start = objects.IndexOf("<S>", StringComparison.Ordinal);
        string element = start < 0 ? "<S></S>" : objects[start..(objects.LastIndexOf("</S>", StringComparison.Ordinal) + "</S>".Length)];
        return [.. ByteOrderMark, .. Encoding.UTF8.GetBytes(element)];
    }

    // What the console host makes of the object: its base object's text. Anything that is not one
    // object PowerShell can read shows the console host's default prompt ("PS>"), as no output does:
    // its reader refuses bad XML with XmlException, but a secret it cannot decrypt here (the
    // session's key is the client's) with PSArgumentException or FormatException, and a filter that
    // threw would end the session of a prompt that returned one.
    private static string ShownBy(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith(ByteOrderMark)) body = body[ByteOrderMark.Length..];
        try
        {
            object[] objects = PSSerializer.DeserializeAsList(Objects + Encoding.UTF8.GetString(body) + "</Objs>");
            return objects is [PSObject one] ? one.BaseObject.ToString() ?? string.Empty
                : objects is [{ } other] ? other.ToString() ?? string.Empty
                : string.Empty;
        }
        catch (Exception e) when (e is XmlException or ArgumentException or FormatException or InvalidCastException
            or InvalidOperationException or OverflowException or RuntimeException)
        {
            // What PowerShell's deserializer throws on text it cannot read as objects: bad XML, bad names or values.
            return string.Empty;
        }
    }

    // The end of a long prompt (where a path's last folder and the ">" are) is what is kept.
    private static string OnTheMarksLine(string text)
    {
        if (Columns(text) <= MaxPromptColumns) return text;
        int left = MaxPromptColumns - Cut.Length;
        int from = text.Length;
        while (from > 0)
        {
            Rune.DecodeLastFromUtf16(text.AsSpan(0, from), out Rune last, out int length);
            left -= Columns(last);
            if (left < 0) break;
            from -= length;
        }
        return Cut + text[from..];
    }

    private static int Columns(string text)
    {
        int columns = 0;
        foreach (Rune rune in text.EnumerateRunes()) columns += Columns(rune);
        return columns;
    }

    // Printable ASCII and the symbols Plain shows control characters as take one column; every
    // other character counts as two: East Asian wide ones and emoji take two, and so do many more
    // (accented letters, Greek, Cyrillic) on a terminal set for East Asian text. A prompt of such
    // characters is cut early rather than wrapped.
    private static int Columns(Rune rune) => rune.Value is (>= ' ' and < 0x7f) or (>= 0x2400 and <= 0x2421) ? 1 : 2;

    private sealed class PartialOutput(long objectId, Guid command, byte[] header)
    {
        // Null once the object has grown too large to be a prompt: nothing of it is kept, or shown.
        private ArrayBufferWriter<byte>? _body = new();

        public long ObjectId { get; } = objectId;
        public Guid Command { get; } = command;
        public byte[] Header { get; } = header;
        public ReadOnlySpan<byte> Body => _body is null ? default : _body.WrittenSpan;

        public void Add(ReadOnlySpan<byte> part)
        {
            if (_body is not null && _body.WrittenCount + part.Length <= MaxPromptObjectBytes) _body.Write(part);
            else _body = null;
        }
    }
}
