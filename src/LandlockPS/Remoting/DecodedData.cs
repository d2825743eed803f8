using System;

namespace LandlockPS.Remoting;

/// <summary>
/// A data packet's base64 (which passed <see cref="ProtocolElement"/>), decoded into a buffer of the
/// shared pool, never a new one: dispose of it to give the buffer back.
/// </summary>
internal ref struct DecodedData
{
    private byte[]? _rented;

    private DecodedData(byte[] rented, int length, bool valid)
    {
        _rented = rented;
        Bytes = rented.AsSpan(0, length);
        IsValid = valid;
    }

    /// <summary>The decoded bytes: the packet's fragments.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>Whether the text was base64 PowerShell would decode.</summary>
    public bool IsValid { get; }

    public static DecodedData Of(ReadOnlySpan<byte> base64)
    {
        byte[] rented = ProtocolLineSplitter.Buffers.Rent(base64.Length / 4 * 3 + 3);
        bool valid = ProtocolGuard.TryDecode(base64, rented, out int length);
        return new DecodedData(rented, valid ? length : 0, valid);
    }

    public void Dispose()
    {
        if (_rented is not { } rented) return;
        _rented = null;
        ProtocolLineSplitter.Buffers.Return(rented);
    }
}
