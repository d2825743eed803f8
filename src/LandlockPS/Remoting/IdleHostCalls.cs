using System;
using System.Collections.Generic;
using LandlockPS.Core;

namespace LandlockPS.Remoting;

/// <summary>
/// Host calls of a session's own host (not of a command) that come while the caller waits for no
/// command of its own in the session (none runs, or only jobs it sent with -AsJob and commands
/// another of its runspaces sent, such as a thread job's). The caller is typing then, into its own
/// shell or at Enter-PSSession's prompt, and PowerShell carries such a call out at once: text written
/// now lands in the line being typed, where a carriage return rubs out the [landlock] mark and leaves
/// what looks like another prompt. They wait, in order with whatever follows them on the session's
/// stream, until the caller next waits for the session (a command of its runs, or it waits for an
/// answer), and are shown then, before what it waits for. A command's own host calls never wait.
/// </summary>
internal sealed class IdleHostCalls(Func<bool> callerWaits)
{
    /// <summary>The most that may wait, in protocol characters: a session writing more while nobody waits for it is ended.</summary>
    internal const int MaxHeldChars = 4 << 20;

    // How a data line of the session's stream starts, as PowerShell writes it: on its default stream, and on its prompt response stream.
    private static readonly byte[] SessionDefault = System.Text.Encoding.ASCII.GetBytes(ProtocolElement.DataLineStart(Guid.Empty, promptResponse: false));
    private static readonly byte[] SessionPromptResponse = System.Text.Encoding.ASCII.GetBytes(ProtocolElement.DataLineStart(Guid.Empty, promptResponse: true));

    private readonly Queue<string> _held = new();
    private long _heldChars;
    // For each data packet the client sent on the session's stream, oldest first (the server answers
    // each in turn): whether the caller asked it of the session and waits for its answer.
    private readonly Queue<bool> _asked = new();
    // The message type of the object the client is sending on the session's stream.
    private uint _sending;
    // A host call's first fragment has come on the session's stream, its last not yet: for the
    // default stream and the prompt response stream apart, as PowerShell puts each together apart.
    private readonly bool[] _inHostCall = new bool[2];
    private bool _callsHanded;

    /// <summary>Whether lines wait to be released.</summary>
    public bool HasHeld => _held.Count > 0;

    /// <summary>Whether a host call of the session has been handed on since the last time this was asked.</summary>
    public bool TakeCallsHanded()
    {
        bool handed = _callsHanded;
        _callsHanded = false;
        return handed;
    }

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
        bool hostCall = CarriesHostCall(base64, promptResponse ? 1 : 0);
        if (_held.Count == 0 && (!hostCall || callerWaits()))
        {
            _callsHanded |= hostCall;
            return false;
        }
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

    /// <summary>
    /// Notes a line the client sends (on PowerShell's sending thread): the answer to data it sends the
    /// session is one the caller waits for, unless the session asked for that data.
    /// </summary>
    public void Sent(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith(SessionDefault) && !line.StartsWith(SessionPromptResponse)) return;
        if (!ProtocolElement.TryParseData(line, out _, out _, out ReadOnlySpan<byte> base64)) return;
        lock (_asked)
        {
            RemotingFragment.ForEach(base64, fragment =>
            {
                if (fragment.Starts) _sending = fragment.MessageType;
            });
            // What the client sends only because the session asked (its key, an answer): the session chooses when that is answered.
            _asked.Enqueue(_sending is not MessageType.PublicKey and not MessageType.RunspacePoolHostResponse);
        }
    }

    /// <summary>
    /// Whether what waits comes out before a line (which the guard passed), the acknowledgement
    /// <paramref name="ack"/> of what the client sent on <paramref name="guid"/> or else data: the
    /// caller waits for the session again. It does while a command of its runs that it waits for, and
    /// for the answer to the session's close, or to data it sent the session of its own accord; not
    /// for the answer to data the session asked for (its public key, an answer to a host call), which
    /// would let the session pick the moment. A command's answer is awaited when the caller waited for
    /// a command just before it came (<paramref name="waitedBefore"/>: the answer to a close ends
    /// the command), which is not so for a job's.
    /// </summary>
    public bool Releases(PacketKind? ack, Guid guid, bool waitedBefore)
    {
        bool awaited = ack is { } kind && (guid != Guid.Empty ? waitedBefore : kind != PacketKind.Data || TakeAsked());
        return HasHeld && (awaited || callerWaits());
    }

    // The answer to the oldest data packet the client sent on the session's stream has come.
    private bool TakeAsked()
    {
        lock (_asked) return !_asked.TryDequeue(out bool asked) || asked;
    }

    /// <summary>Takes every line that waits, oldest first.</summary>
    public IEnumerable<string> Release()
    {
        while (_held.TryDequeue(out string? line))
        {
            // What waits starts with a host call.
            _callsHanded = true;
            _heldChars -= line.Length;
            yield return line;
        }
    }

    // Whether the line holds a fragment of a host call: one that starts here, or goes on from an
    // earlier line on the same stream (0 default, 1 prompt response), which carries one object at a time.
    private bool CarriesHostCall(ReadOnlySpan<byte> base64, int stream)
    {
        bool carries = false;
        RemotingFragment.ForEach(base64, fragment =>
        {
            if (fragment.Starts) _inHostCall[stream] = fragment.MessageType == MessageType.RunspacePoolHostCall;
            carries |= _inHostCall[stream];
            if (fragment.Ends) _inHostCall[stream] = false;
        });
        return carries;
    }
}
