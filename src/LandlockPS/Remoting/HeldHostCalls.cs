using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Text;
using System.Xml;

namespace LandlockPS.Remoting;

/// <summary>
/// Writes, on the caller's host, the text of the session's own host calls that waited (see
/// <see cref="IdleHostCalls"/>) when the caller closes the session. PowerShell drops everything a
/// session sends once it starts closing it: handed to it then, they would be lost. Only the calls
/// that write text are carried out, through the session's guarded host, which neutralises it as
/// always; anything else that waited goes with the session.
/// </summary>
internal static class HeldHostCalls
{
    private const string ObjectsStart = "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">";

    /// <summary>Carries out the text calls among <paramref name="lines"/> (the held data lines, oldest first) on <paramref name="ui"/>.</summary>
    public static void WriteText(IEnumerable<string> lines, PSHostUserInterface ui)
    {
        // PowerShell puts each stream's fragments together apart: the default stream, the prompt response stream.
        var open = new ArrayBufferWriter<byte>?[2];
        foreach (string line in lines)
        {
            byte[] element = Encoding.ASCII.GetBytes(line);
            if (!ProtocolElement.TryParseData(element, out bool promptResponse, out _, out ReadOnlySpan<byte> base64)) continue;
            int stream = promptResponse ? 1 : 0;
            RemotingFragment.ForEach(base64, fragment =>
            {
                if (fragment.Starts) open[stream] = new ArrayBufferWriter<byte>();
                open[stream]?.Write(fragment.Blob);
                if (!fragment.Ends || open[stream] is not { } message) return;
                open[stream] = null;
                if (TryDecode(message.WrittenSpan) is var (method, arguments)) Write(ui, method, arguments);
            });
        }
    }

    // A host call's method and arguments; null for any other message, and for CLIXML PowerShell
    // cannot read: the sandbox wrote it, and nothing it writes may keep the caller from closing.
    private static (string Method, object?[] Arguments)? TryDecode(ReadOnlySpan<byte> message)
    {
        try
        {
            return Decode(message);
        }
        catch (Exception e) when (e is XmlException or RuntimeException or InvalidOperationException or InvalidCastException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    private static (string Method, object?[] Arguments)? Decode(ReadOnlySpan<byte> message)
    {
        if (message.Length <= RemotingFragment.MessageHeaderBytes
            || BinaryPrimitives.ReadUInt32LittleEndian(message.Slice(4, 4)) != MessageType.RunspacePoolHostCall) return null;
        string body = Encoding.UTF8.GetString(message[RemotingFragment.MessageHeaderBytes..]).TrimStart('\uFEFF');
        if (PSSerializer.Deserialize(ObjectsStart + body + "</Objs>") is not PSObject call) return null;
        string? method = call.Properties["mi"]?.Value?.ToString();
        object?[] arguments = LanguagePrimitives.GetEnumerable(call.Properties["mp"]?.Value)?.Cast<object?>().ToArray() ?? [];
        return method is null ? null : (method, arguments);
    }

    private static void Write(PSHostUserInterface ui, string method, object?[] a)
    {
        switch (method, a.Length)
        {
            case ("Write1", 1): ui.Write(Text(a[0])); break;
            case ("Write2", 3): ui.Write(Color(a[0]), Color(a[1]), Text(a[2])); break;
            case ("WriteLine1", 0): ui.WriteLine(); break;
            case ("WriteLine2", 1): ui.WriteLine(Text(a[0])); break;
            case ("WriteLine3", 3): ui.WriteLine(Color(a[0]), Color(a[1]), Text(a[2])); break;
            case ("WriteErrorLine", 1): ui.WriteErrorLine(Text(a[0])); break;
            case ("WriteDebugLine", 1): ui.WriteDebugLine(Text(a[0])); break;
            case ("WriteVerboseLine", 1): ui.WriteVerboseLine(Text(a[0])); break;
            case ("WriteWarningLine", 1): ui.WriteWarningLine(Text(a[0])); break;
        }
    }

    private static string Text(object? value) => LanguagePrimitives.ConvertTo<string>(value) ?? string.Empty;

    private static ConsoleColor Color(object? value) => LanguagePrimitives.ConvertTo<ConsoleColor>(value);
}
