using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using LandlockPS.Core;

namespace LandlockPS.Remoting;

/// <summary>
/// Host calls of a session's own host (not of a command) that come while no command of the
/// caller's runs. The caller is typing then, into its own shell or at Enter-PSSession's prompt, and
/// PowerShell carries such a call out at once: text written now lands in the line being typed, where
/// a carriage return rubs out the [landlock] mark and leaves what looks like another prompt. They
/// wait, in order with whatever follows them on the session's stream, until the caller next waits
/// for the session (a command of its runs, or it waits for an answer), and are shown then, before
/// what it waits for. A command's own host calls never wait.
/// </summary>
internal sealed class IdleHostCalls(Func<bool> runsCommand)
{
    private const uint RunspacePoolHostCall = 0x00021100;

    /// <summary>The most that may wait, in protocol characters: a session writing more while nobody waits for it is ended.</summary>
    internal const int MaxHeldChars = 4 << 20;

    private static readonly byte[] SessionDefault = System.Text.Encoding.ASCII.GetBytes($"<Data Stream='Default' PSGuid='{Guid.Empty}'>");
    private static readonly byte[] SessionPromptResponse = System.Text.Encoding.ASCII.GetBytes($"<Data Stream='PromptResponse' PSGuid='{Guid.Empty}'>");

    private readonly Queue<string> _held = new();
    private long _heldChars;
    // A host call's first fragment has come on the session's stream, its last not yet: for the
    // default stream and the prompt response stream apart, as PowerShell puts each together apart.
    private readonly bool[] _inHostCall = new bool[2];

    /// <summary>Whether lines wait to be released.</summary>
    public bool HasHeld => _held.Count > 0;

    /// <summary>
    /// Whether <paramref name="line"/> (the text of <paramref name="element"/>, which the guard passed)
    /// waits; the caller gets it from <see cref="Release"/>. Throws the reason the session must end
    /// once too much waits. Every line passes through here, commands' too: a host call begun while
    /// a command ran and finished while none does must wait as well.
    /// </summary>
    public bool Hold(ReadOnlySpan<byte> element, string line)
    {
        if (!element.StartsWith(SessionDefault) && !element.StartsWith(SessionPromptResponse)) return false;
        if (!ProtocolElement.TryParseData(element, out bool promptResponse, out _, out ReadOnlySpan<byte> base64)) return false;
        bool hostCall = CarriesHostCall(base64, ref _inHostCall[promptResponse ? 1 : 0]);
        if (_held.Count == 0 && (!hostCall || runsCommand())) return false;
        _heldChars += line.Length;
        if (_heldChars > MaxHeldChars)
        {
            throw new LandlockException(
                $"The sandboxed pwsh was ended because its own host wrote more than {MaxHeldChars >> 20} MB while no command of yours ran " +
                "(such text waits until you next use the session). The output received before it is kept.", errorId: "ReceivedDataTooLarge");
        }
        _held.Enqueue(line);
        return true;
    }

    /// <summary>Takes every line that waits, oldest first.</summary>
    public IEnumerable<string> Release()
    {
        while (_held.TryDequeue(out string? line))
        {
            _heldChars -= line.Length;
            yield return line;
        }
    }

    // Whether the line holds a fragment of a host call: one that starts here, or goes on from an
    // earlier line on the same stream, which carries one object at a time.
    private static bool CarriesHostCall(ReadOnlySpan<byte> base64, ref bool inHostCall)
    {
        byte[] rented = ProtocolLineSplitter.Buffers.Rent(base64.Length / 4 * 3 + 3);
        try
        {
            ProtocolGuard.TryDecode(base64, rented, out int length);
            ReadOnlySpan<byte> rest = rented.AsSpan(0, length);
            bool carries = false;
            while (!rest.IsEmpty)
            {
                RemotingFragment fragment = RemotingFragment.Next(ref rest);
                if (fragment.Starts) inHostCall = fragment.MessageType == RunspacePoolHostCall;
                carries |= inHostCall;
                if (fragment.Ends) inHostCall = false;
            }
            return carries;
        }
        finally
        {
            ProtocolLineSplitter.Buffers.Return(rented);
        }
    }
}
