using System;
using System.Buffers;
using System.Buffers.Binary;

namespace LandlockPS.Remoting;

/// <summary>
/// One PSRP fragment (MS-PSRP 2.2.4): object id, fragment id, start and end flags, and its blob.
/// The blob of an object's first fragment starts with the message header (MS-PSRP 2.2.1):
/// destination, message type, runspace pool id, PowerShell id.
/// </summary>
internal readonly ref struct RemotingFragment
{
    public const int HeaderBytes = 21;
    public const int MessageHeaderBytes = 40;
    private const byte StartFlag = 0x1;
    private const byte EndFlag = 0x2;

    private RemotingFragment(long objectId, byte flags, ReadOnlySpan<byte> blob)
    {
        ObjectId = objectId;
        Starts = (flags & StartFlag) != 0;
        Ends = (flags & EndFlag) != 0;
        Blob = blob;
    }

    public long ObjectId { get; }
    public bool Starts { get; }
    public bool Ends { get; }
    public ReadOnlySpan<byte> Blob { get; }

    /// <summary>The message type; only an object's first fragment has one.</summary>
    public uint MessageType => BinaryPrimitives.ReadUInt32LittleEndian(Blob.Slice(4, 4));

    /// <summary>The PowerShell (command) the message is for; only an object's first fragment has one.</summary>
    public Guid PowerShellId => new(Blob.Slice(24, 16));

    /// <summary>
    /// The fragment <paramref name="rest"/> starts with, which the protocol guard (or, for what the
    /// client sends, PowerShell itself) has checked is whole; <paramref name="rest"/> moves past it.
    /// </summary>
    public static RemotingFragment Next(ref ReadOnlySpan<byte> rest)
    {
        int blob = BinaryPrimitives.ReadInt32BigEndian(rest[17..]);
        var fragment = new RemotingFragment(BinaryPrimitives.ReadInt64BigEndian(rest), rest[16], rest.Slice(HeaderBytes, blob));
        rest = rest[(HeaderBytes + blob)..];
        return fragment;
    }

    public delegate void Visitor(RemotingFragment fragment);

    /// <summary>Visits the fragments of a data packet's base64, which the guard (or, for what the client sends, PowerShell itself) has checked.</summary>
    public static void ForEach(ReadOnlySpan<byte> base64, Visitor visit)
    {
        using DecodedData data = DecodedData.Of(base64);
        ReadOnlySpan<byte> rest = data.Bytes;
        while (!rest.IsEmpty) visit(Next(ref rest));
    }

    /// <summary>Writes a whole object in one fragment: <paramref name="header"/> (a message header) then <paramref name="body"/>.</summary>
    public static void WriteWhole(IBufferWriter<byte> into, long objectId, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        Span<byte> start = into.GetSpan(HeaderBytes);
        BinaryPrimitives.WriteInt64BigEndian(start, objectId);
        BinaryPrimitives.WriteInt64BigEndian(start[8..], 0);
        start[16] = StartFlag | EndFlag;
        BinaryPrimitives.WriteInt32BigEndian(start[17..], header.Length + body.Length);
        into.Advance(HeaderBytes);
        into.Write(header);
        into.Write(body);
    }
}
