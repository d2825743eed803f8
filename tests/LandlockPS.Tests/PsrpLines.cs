using System;
using System.Buffers.Binary;
using System.Linq;
using System.Text;

namespace LandlockPS.Tests;

/// <summary>PSRP data lines as PowerShell's server writes them: a message, in fragments, in base64, on a stream.</summary>
internal static class PsrpLines
{
    private static readonly Guid Pool = Guid.NewGuid();

    /// <summary>A message (MS-PSRP 2.2.1) to the client: its header, then the CLIXML after a byte order mark.</summary>
    public static byte[] Message(uint type, Guid command, string clixml)
    {
        var message = new byte[40];
        BinaryPrimitives.WriteUInt32LittleEndian(message, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), type);
        Pool.TryWriteBytes(message.AsSpan(8));
        command.TryWriteBytes(message.AsSpan(24));
        return [.. message, 0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(clixml)];
    }

    /// <summary>A fragment (MS-PSRP 2.2.4) holding <paramref name="blob"/>.</summary>
    public static byte[] Fragment(long objectId, long fragmentId, bool start, bool end, byte[] blob)
    {
        var header = new byte[21];
        BinaryPrimitives.WriteInt64BigEndian(header, objectId);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(8), fragmentId);
        header[16] = (byte)((start ? 1 : 0) | (end ? 2 : 0));
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(17), blob.Length);
        return [.. header, .. blob];
    }

    /// <summary>A data line of <paramref name="stream"/> (a command's PSGuid, or the session's empty one).</summary>
    public static string Line(Guid stream, bool promptResponse, params byte[][] fragments) =>
        $"<Data Stream='{(promptResponse ? "PromptResponse" : "Default")}' PSGuid='{stream}'>{Convert.ToBase64String(fragments.SelectMany(f => f).ToArray())}</Data>";
}
