using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Threading;

namespace LandlockPS.Remoting;

/// <summary>
/// PowerShell carries out a session's own host calls (not a command's) on a thread of its own, one
/// after another, apart from the command's data: a command can end, and the caller's next prompt
/// be drawn, long before the last of a burst of them is carried out. What lands after the prompt
/// rubs out Enter-PSSession's [landlock] mark, or the caller's own prompt. Before a command's end
/// reaches PowerShell, the transport sends a host call of its own after them (<see cref="NextMarker"/>)
/// and waits until the caller's host has carried it out (<see cref="Await"/>): everything before it
/// has been. Only <see cref="SandboxHost"/> knows the marker's text; the sandbox never sees it.
/// </summary>
internal sealed class HostCatchUp
{
    /// <summary>
    /// The longest a command's end waits: far longer than writing any burst a terminal could show
    /// takes; a host call that waits on something else (the caller's answer to a prompt) is not held
    /// up by it for good.
    /// </summary>
    internal const int MaxWaitMilliseconds = 10_000;

    // MS-PSRP 2.2.1: to the client; RemoteHostMethodId.WriteLine2 is WriteLine(string).
    private const uint ToClient = 1;
    private const string HostCallStart = "<Obj RefId=\"0\"><MS><I64 N=\"ci\">-100</I64><Obj N=\"mi\" RefId=\"1\"><TN RefId=\"0\">" +
        "<T>System.Management.Automation.Remoting.RemoteHostMethodId</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN>" +
        "<ToString>WriteLine2</ToString><I32>16</I32></Obj><Obj N=\"mp\" RefId=\"2\"><TN RefId=\"1\"><T>System.Collections.ArrayList</T><T>System.Object</T></TN><LST><S>";
    private const string HostCallEnd = "</S></LST></Obj></MS></Obj>";

    private readonly string _text = $"LandlockPS-catch-up-{Guid.NewGuid():N}-";
    private readonly object _lock = new();
    private long _sent;
    private long _reached;
    private bool _cancelled;

    /// <summary>Whether the caller's host carries out the marker: set by a <see cref="SandboxHost"/> that has a UI.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The data line of the next marker for the session of runspace pool <paramref name="pool"/>, or
    /// for its command <paramref name="command"/> (a command's host calls are carried out in order
    /// with its output): a whole object on the prompt response stream, which PowerShell's server
    /// never sends on, so the marker never breaks into an object the server is sending.
    /// </summary>
    public string NextMarker(Guid pool, Guid command = default)
    {
        long serial = Interlocked.Increment(ref _sent);
        Span<byte> header = stackalloc byte[RemotingFragment.MessageHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, ToClient);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], command == Guid.Empty ? MessageType.RunspacePoolHostCall : MessageType.PipelineHostCall);
        pool.TryWriteBytes(header[8..]);
        command.TryWriteBytes(header[24..]);
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(HostCallStart + _text + serial.ToString(CultureInfo.InvariantCulture) + HostCallEnd)];
        var fragment = new ArrayBufferWriter<byte>(RemotingFragment.HeaderBytes + header.Length + body.Length);
        RemotingFragment.WriteWhole(fragment, serial, header, body);
        return ProtocolElement.DataLine(command, promptResponse: true, fragment.WrittenSpan);
    }

    /// <summary>Whether <paramref name="line"/>, which the caller's host was told to write, is a marker; if so, it has been carried out.</summary>
    public bool TryReach(string? line)
    {
        if (line is null || !line.StartsWith(_text, StringComparison.Ordinal)) return false;
        if (long.TryParse(line.AsSpan(_text.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long serial))
        {
            lock (_lock)
            {
                _reached = Math.Max(_reached, serial);
                Monitor.PulseAll(_lock);
            }
        }
        return true;
    }

    /// <summary>
    /// Waits until the caller's host has carried out the last marker, for at most
    /// <paramref name="milliseconds"/>, or until the session ends. Returns whether it has.
    /// </summary>
    public bool Await(int milliseconds = MaxWaitMilliseconds)
    {
        long due = Environment.TickCount64 + milliseconds;
        lock (_lock)
        {
            while (_reached < Volatile.Read(ref _sent) && !_cancelled)
            {
                long left = due - Environment.TickCount64;
                if (left <= 0) return false;
                Monitor.Wait(_lock, (int)left);
            }
            return !_cancelled;
        }
    }

    /// <summary>The session ends: nobody waits for a marker any more.</summary>
    public void Cancel()
    {
        lock (_lock)
        {
            _cancelled = true;
            Monitor.PulseAll(_lock);
        }
    }
}
