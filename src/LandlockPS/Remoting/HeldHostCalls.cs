using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Text;

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
    // RemoteHostMethodId (MS-PSRP 2.2.3.17) of the calls that write text.
    private const int Write1 = 13, Write2 = 14, WriteLine1 = 15, WriteLine2 = 16, WriteLine3 = 17, WriteErrorLine = 18, WriteDebugLine = 19, WriteVerboseLine = 21, WriteWarningLine = 22;

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
                if (TryDecode(message.WrittenMemory) is var (method, arguments)) Write(ui, method, arguments);
            });
        }
    }

    // A host call's method (its number, RemoteHostMethodId in MS-PSRP) and arguments; null for any
    // other message, and for CLIXML PowerShell cannot read: the sandbox wrote it, and nothing it
    // writes may keep the caller from closing. Whatever the reader throws is taken so: it throws more
    // than bad XML and bad values (it rehydrates an object typed as a CIM instance through a native
    // library, and fails as that fails: DllNotFoundException where there is none). It is read with
    // no type data (SentValue.WithoutTypeData): the caller closes the session in its own runspace.
    private static (int Method, object?[] Arguments)? TryDecode(ReadOnlyMemory<byte> message)
    {
        try
        {
            return SentValue.WithoutTypeData(() => Decode(message.Span));
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static (int Method, object?[] Arguments)? Decode(ReadOnlySpan<byte> message)
    {
        if (message.Length <= RemotingFragment.MessageHeaderBytes
            || BinaryPrimitives.ReadUInt32LittleEndian(message.Slice(4, 4)) != MessageType.RunspacePoolHostCall) return null;
        string body = Encoding.UTF8.GetString(message[RemotingFragment.MessageHeaderBytes..]).TrimStart('\uFEFF');
        if (PSSerializer.Deserialize(ObjectsStart + body + "</Objs>") is not PSObject call) return null;
        if (SentValue.Number(call.Properties["mi"]?.Value) is not { } method) return null;
        object?[] arguments = LanguagePrimitives.GetEnumerable(call.Properties["mp"]?.Value)?.Cast<object?>().ToArray() ?? [];
        return (method, arguments);
    }

    // Arguments are taken as sent (SentValue); a call with any other argument is left out, as
    // PowerShell's client fails it.
    private static void Write(PSHostUserInterface ui, int method, object?[] a)
    {
        switch (method, a.Length)
        {
            case (Write1, 1) when SentValue.Text(a[0]) is { } text: ui.Write(text); break;
            case (Write2, 3) when SentValue.Colour(a[0]) is { } fore && SentValue.Colour(a[1]) is { } back && SentValue.Text(a[2]) is { } text: ui.Write(fore, back, text); break;
            case (WriteLine1, 0): ui.WriteLine(); break;
            case (WriteLine2, 1) when SentValue.Text(a[0]) is { } text: ui.WriteLine(text); break;
            case (WriteLine3, 3) when SentValue.Colour(a[0]) is { } fore && SentValue.Colour(a[1]) is { } back && SentValue.Text(a[2]) is { } text: ui.WriteLine(fore, back, text); break;
            case (WriteErrorLine, 1) when SentValue.Text(a[0]) is { } text: ui.WriteErrorLine(text); break;
            case (WriteDebugLine, 1) when SentValue.Text(a[0]) is { } text: ui.WriteDebugLine(text); break;
            case (WriteVerboseLine, 1) when SentValue.Text(a[0]) is { } text: ui.WriteVerboseLine(text); break;
            case (WriteWarningLine, 1) when SentValue.Text(a[0]) is { } text: ui.WriteWarningLine(text); break;
        }
    }
}
