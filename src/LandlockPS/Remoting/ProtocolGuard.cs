using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using LandlockPS.Core;

namespace LandlockPS.Remoting;

/// <summary>How much a sandboxed pwsh may send: PowerShell's own remoting limits, in bytes; null is no limit.</summary>
internal sealed record ReceiveLimits(int? MaximumReceivedObjectSize, int? MaximumReceivedDataSizePerCommand)
{
    /// <summary>PowerShell's own client default for one object (New-PSSessionOption), and no limit per command.</summary>
    public static readonly ReceiveLimits Default = new(200 << 20, null);

    /// <summary>
    /// The limits a cmdlet was given (in bytes, 0 for none), else those of the caller's
    /// $PSSessionOption, as PowerShell's own remoting cmdlets take them, else the default.
    /// </summary>
    public static ReceiveLimits From(System.Management.Automation.PSCmdlet cmdlet, int? objectSize, int? dataPerCommand)
    {
        ReceiveLimits preferred = cmdlet.GetVariableValue("PSSessionOption") is System.Management.Automation.Remoting.PSSessionOption option
            ? new(option.MaximumReceivedObjectSize, option.MaximumReceivedDataSizePerCommand)
            : Default;
        return new(Chosen(objectSize) ?? preferred.MaximumReceivedObjectSize, Chosen(dataPerCommand) ?? preferred.MaximumReceivedDataSizePerCommand);
    }

    // Not given: null; given as 0: no limit at all.
    private static int? Chosen(int? bytes) => bytes switch
    {
        null => null,
        0 => int.MaxValue,
        _ => bytes,
    };
}

/// <summary>A packet the client sent that its server acknowledges: its kind, its PSGuid, and its place among all the session sent.</summary>
internal readonly record struct SentPacket(PacketKind Kind, Guid Guid, long Serial);

/// <summary>
/// Judges every line a sandboxed pwsh sends before PowerShell sees it. Only what a remoting server
/// sends a client passes: data, and the acknowledgements of data, commands, close and signals,
/// exactly as PowerShell writes them; fragments must be well formed, and no object or command may
/// exceed its limit. Anything else means the child is broken or hostile: the session ends at once.
/// Lines are judged as bytes (see <see cref="ProtocolElement"/>), their fragments decoded into a
/// pooled buffer: judging costs a line no allocation.
/// </summary>
internal sealed class ProtocolGuard(ReceiveLimits limits)
{
    // Bytes of the object being received, by command and by stream (default or prompt response).
    private readonly Dictionary<(Guid, bool), long> _objectBytes = [];
    private readonly Dictionary<Guid, long> _commandBytes = [];
    // What the client sent and the server has not acknowledged yet, by packet kind and PSGuid: the
    // serials of each, oldest first. A PowerShell object invoked again reuses its PSGuid, and its
    // next command may go out before the last close is answered; the server answers each in turn.
    private readonly Dictionary<(PacketKind, Guid), Queue<long>> _unanswered = [];
    // Commands the client started (by PSGuid, how many times) whose close the server has not acknowledged: only their data is counted.
    private readonly Dictionary<Guid, int> _commands = [];
    private long _serial;

    /// <summary>The longest line PowerShell's server writes is one 32 KB fragment in base64: anything much longer is not protocol.</summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>Notes a packet the client sends: the server may acknowledge it once. Returns the packet, if it is one.</summary>
    public SentPacket? Sent(ReadOnlySpan<byte> element)
    {
        if (!ProtocolElement.TryParseSent(element, out PacketKind kind, out Guid guid)) return null;
        (PacketKind Kind, Guid Guid) key = (kind, guid);
        lock (_unanswered)
        {
            long serial = ++_serial;
            if (!_unanswered.TryGetValue(key, out Queue<long>? waiting)) _unanswered[key] = waiting = new Queue<long>(1);
            waiting.Enqueue(serial);
            if (key.Kind == PacketKind.Command) _commands[key.Guid] = _commands.GetValueOrDefault(key.Guid) + 1;
            return new SentPacket(key.Kind, key.Guid, serial);
        }
    }

    /// <summary>Whether the server has still to acknowledge anything the client sent.</summary>
    public bool AwaitsAnswer
    {
        get
        {
            lock (_unanswered) return _unanswered.Count > 0;
        }
    }

    /// <summary>Whether the server has still to acknowledge a packet the client sent (as <see cref="Sent"/> returned it).</summary>
    public bool IsUnanswered(SentPacket packet)
    {
        // Answers come in the order their packets went: this one is answered once an older one is not waiting.
        lock (_unanswered) return _unanswered.TryGetValue((packet.Kind, packet.Guid), out Queue<long>? waiting) && waiting.Peek() <= packet.Serial;
    }

    /// <summary>
    /// Whether to pass <paramref name="element"/> on: not data for a command that is not running
    /// (PowerShell drops it too: it may come just after the command closed). Throws the reason the
    /// session must end.
    /// </summary>
    public bool Check(ReadOnlySpan<byte> element)
    {
        if (ProtocolElement.TryParseAck(element, out PacketKind kind, out Guid guid))
        {
            Answer(kind, guid, element);
            if (kind == PacketKind.Close) Forget(guid);
            return true;
        }
        if (!ProtocolElement.TryParseData(element, out bool promptResponse, out Guid command, out ReadOnlySpan<byte> base64))
        {
            throw Violation("SandboxProtocolViolation", $"it wrote a line that is not PowerShell remoting protocol: '{Abbreviate(element)}'");
        }
        // PowerShell's server never sends on it (the client answers host calls there): it carries
        // the transport's own markers (HostCatchUp), which an object left unfinished there would swallow.
        if (promptResponse) throw Violation("SandboxProtocolViolation", "it sent data on the prompt response stream, on which only the client sends");
        // Kept no account of: a child could name a new command in every line, and each would cost memory for the session's life.
        if (command != Guid.Empty && !IsRunning(command)) return false;
        CheckFragments(command, promptResponse, base64);
        return true;
    }

    /// <summary>Whether a command the client sent is running: its close has not been acknowledged.</summary>
    public bool IsRunning(Guid command)
    {
        lock (_unanswered) return _commands.ContainsKey(command);
    }

    /// <summary>The commands the client sent that have not been closed yet.</summary>
    public Guid[] RunningCommandIds
    {
        get
        {
            lock (_unanswered) return [.. _commands.Keys];
        }
    }

    /// <summary>How many commands the client sent have not been closed yet (none: the caller waits for no command of its in the session).</summary>
    public int RunningCommands
    {
        get
        {
            lock (_unanswered) return _commands.Values.Sum();
        }
    }

    // The server answers a close only after the command's last data, and before any data of its next
    // run under the same PSGuid: what was counted is forgotten either way.
    private void Forget(Guid command)
    {
        lock (_unanswered)
        {
            int running = _commands.GetValueOrDefault(command);
            if (running > 1) _commands[command] = running - 1;
            else _commands.Remove(command);
        }
        _commandBytes.Remove(command);
        _objectBytes.Remove((command, false));
        _objectBytes.Remove((command, true));
    }

    // A forged acknowledgement could end a close or a command early, silently: only real answers pass.
    private void Answer(PacketKind kind, Guid guid, ReadOnlySpan<byte> element)
    {
        lock (_unanswered)
        {
            if (!_unanswered.TryGetValue((kind, guid), out Queue<long>? waiting)) throw Violation("SandboxProtocolViolation", $"it acknowledged something it was never sent: '{Abbreviate(element)}'");
            waiting.Dequeue();
            if (waiting.Count == 0) _unanswered.Remove((kind, guid));
        }
    }

    private void CheckFragments(Guid command, bool promptResponse, ReadOnlySpan<byte> base64)
    {
        using DecodedData data = DecodedData.Of(base64);
        if (!data.IsValid || data.Bytes.IsEmpty)
        {
            throw Violation("SandboxProtocolViolation", "it sent a data packet that is not valid base64");
        }
        ReadOnlySpan<byte> rest = data.Bytes;
        while (!rest.IsEmpty)
        {
            if (rest.Length < RemotingFragment.HeaderBytes) throw Violation("SandboxProtocolViolation", "it sent a truncated remoting fragment");
            int blob = BinaryPrimitives.ReadInt32BigEndian(rest[17..]);
            if (blob < 0 || blob > rest.Length - RemotingFragment.HeaderBytes) throw Violation("SandboxProtocolViolation", "it sent a remoting fragment whose length does not match its data");
            RemotingFragment fragment = RemotingFragment.Next(ref rest);
            // PowerShell's server never splits a message header (its fragments hold 32 KB); split, it
            // would hide the message type from the check, and the client would put it together all the same.
            if (fragment.Starts && blob < RemotingFragment.MessageHeaderBytes) throw Violation("SandboxProtocolViolation", "it split a message's header across remoting fragments");
            // Nothing asks for a sandbox's events, nothing takes them, and no limit counts them:
            // the caller's session would keep every one. One of them is a stop in the debugger,
            // on which an Enter-PSSession host opens a debugger prompt of its own.
            if (fragment.Starts && fragment.MessageType == MessageType.PSEventArgs)
            {
                throw Violation("SandboxProtocolViolation", "it forwarded an engine event (Register-EngineEvent -Forward), which a sandbox may not send its caller");
            }
            // PowerShell's client hands a message to what its header names (the session, or a
            // command), on the thread of the stream it came on: a command's host call sent on the
            // session's stream is written apart from the command's own data and its end, after the
            // command ended, where the next prompt is. PowerShell's server sends every message on
            // the stream of what it names: the session's messages on the session's, a command's on its own.
            if (fragment.Starts && fragment.PowerShellId != command)
            {
                throw Violation("SandboxProtocolViolation", command == Guid.Empty
                    ? "it sent a message of a command on the session's own stream"
                    : "it sent a message of the session, or of another command, on a command's stream");
            }
            Count(command, promptResponse, fragment.Starts, blob);
        }
    }

    // Text that passed ProtocolElement: length a multiple of four, padding only at the end. Convert,
    // which PowerShell decodes with, also takes a last character whose unused bits are not zero,
    // which the vectorised UTF-8 decoder refuses: such (rare) text is decoded as PowerShell would.
    internal static bool TryDecode(ReadOnlySpan<byte> base64, Span<byte> into, out int written)
    {
        if (Base64.DecodeFromUtf8(base64, into, out _, out written) == OperationStatus.Done) return true;
        char[] chars = ArrayPool<char>.Shared.Rent(base64.Length);
        try
        {
            int count = Encoding.ASCII.GetChars(base64, chars);
            return Convert.TryFromBase64Chars(chars.AsSpan(0, count), into, out written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private void Count(Guid command, bool promptResponse, bool startsObject, int blob)
    {
        long soFar = startsObject ? 0 : _objectBytes.GetValueOrDefault((command, promptResponse));
        _objectBytes[(command, promptResponse)] = soFar + blob;
        if (soFar + blob > limits.MaximumReceivedObjectSize)
        {
            throw Violation("ReceivedObjectTooLarge",
                $"it sent an object larger than {Megabytes(limits.MaximumReceivedObjectSize.Value)} (MaximumReceivedObjectSize). " +
                "To allow bigger objects, pass -MaximumReceivedObjectSize <bytes> (0: no limit)");
        }
        if (command == Guid.Empty) return;
        long total = _commandBytes.GetValueOrDefault(command) + blob;
        _commandBytes[command] = total;
        if (total > limits.MaximumReceivedDataSizePerCommand)
        {
            throw Violation("ReceivedDataTooLarge",
                $"one command sent more than {Megabytes(limits.MaximumReceivedDataSizePerCommand.Value)} (MaximumReceivedDataSizePerCommand). " +
                "To allow more, pass -MaximumReceivedDataSizePerCommand <bytes> (0: no limit)");
        }
    }

    private static string Megabytes(int bytes) => bytes % (1 << 20) == 0 ? $"{bytes >> 20} MB" : $"{bytes} bytes";

    // Quoted in an error the caller's terminal shows.
    private static string Abbreviate(ReadOnlySpan<byte> line) =>
        HostText.Neutralize(line.Length <= 80 ? Encoding.UTF8.GetString(line) : Encoding.UTF8.GetString(line[..77]) + "...");

    private static LandlockException Violation(string errorId, string reason) =>
        new($"The sandboxed pwsh was ended because {reason}. The output received before it is kept.", errorId: errorId);
}
