using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using LandlockPS.Core;
using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// The protocol guard reads lines as bytes with a hand-written matcher. It must accept exactly the
/// lines the regular expressions it replaced accepted: they are kept here as the reference.
/// </summary>
public class ProtocolGuardTests
{
    private const string Session = "00000000-0000-0000-0000-000000000000";
    private const string Command = "d1bb6d0f-017e-4b0a-9c3e-5a1f2e3d4c5b";

    private static readonly Regex ReferenceData = new(
        @"^<Data Stream='(?<stream>Default|PromptResponse)' PSGuid='(?<guid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'>(?<data>[A-Za-z0-9+/]*={0,2})</Data>$",
        RegexOptions.CultureInvariant);

    private static readonly Regex ReferenceAck = new(
        @"^<(?<tag>DataAck|CommandAck|CloseAck|SignalAck) PSGuid='(?<guid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})' />$",
        RegexOptions.CultureInvariant);

    // What the guard took as a packet the client sent, when it read it with a regular expression
    // (whose stream was any \w+, and whose PSGuid any 36 of [0-9a-f-], which Guid.Parse then threw on
    // unless it was a GUID): the reader keeps to the ASCII words and GUIDs PowerShell writes.
    private static readonly Regex ReferenceSent = new(
        @"^<(?<tag>Data|Command|Close|Signal) (?:Stream='[A-Za-z0-9_]+' )?PSGuid='(?<guid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'",
        RegexOptions.CultureInvariant);

    private static readonly string[] LineTexts =
    [
        $"<Data Stream='Default' PSGuid='{Session}'>{Fragment(5)}</Data>",
        $"<Data Stream='PromptResponse' PSGuid='{Command}'>{Fragment(300)}</Data>",
        $"<DataAck PSGuid='{Session}' />",
        $"<CommandAck PSGuid='{Command}' />",
        $"<CloseAck PSGuid='{Command}' />",
        $"<SignalAck PSGuid='{Command}' />",
        $"<Data Stream='Default' PSGuid='{Session.ToUpperInvariant().Replace('0', 'A')}'>{Fragment(5)}</Data>",
        $"<Data Stream='Default' PSGuid='{Session}'>{Fragment(5)} </Data>",
        $"<Data Stream='Default' PSGuid='{Session}'>AAAA===</Data>",
        $"<Data Stream='Default' PSGuid='{Session}'>AA=A</Data>",
        $"<Data Stream='Other' PSGuid='{Session}'>AAAA</Data>",
        $"<Data Stream='Default'  PSGuid='{Session}'>AAAA</Data>",
        $"<Data Stream='Default' PSGuid='{Session}'></Data>",
        $"<Data Stream='Default' PSGuid='{Session}'>",
        "<Data Stream='</Data>",
        "<Data Stream='",
        $"<DataAck PSGuid='{Session}'/>",
        $"<DataAck PSGuid='{Session}' />\r",
        $"<CommandAck PSGuid='{Command[..^1]}' />",
        $"<Command PSGuid='{Command}' />",
        $"<Close PSGuid='{Command}' />",
        $"<Signal PSGuid='{Command}' />",
        $"<Bogus PSGuid='{Command}' />",
        "<Bogus/>",
        "",
        "<",
        $"<Data Stream='Default' PSGuid='{Session}'>AAAA</Data>é",
    ];

    public static TheoryData<string> Lines => new(LineTexts);

    [Theory]
    [MemberData(nameof(Lines))]
    public void AcceptsWhatTheReferenceAccepts(string line) =>
        Assert.Equal(ReferenceAccepts(line), Accepts(Encoding.UTF8.GetBytes(line)));

    [Fact]
    public void AgreesWithTheReferenceOnMutatedLines()
    {
        foreach (string text in Mutated(LineTexts.Where(ReferenceAccepts).ToArray(), "<>/='- \rAZaz09+fFgGDataAckPSGuid", seed: 15))
        {
            Assert.True(ReferenceAccepts(text) == Accepts(Encoding.UTF8.GetBytes(text)), $"Disagreement on '{text}'");
        }
    }

    // 20,000 lines, each a seed with one to three characters changed, inserted or removed.
    private static IEnumerable<string> Mutated(string[] seeds, string alphabet, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < 20_000; i++)
        {
            var line = new StringBuilder(seeds[random.Next(seeds.Length)]);
            for (int edits = random.Next(1, 4); edits > 0 && line.Length > 0; edits--)
            {
                int at = random.Next(line.Length);
                switch (random.Next(3))
                {
                    case 0: line[at] = alphabet[random.Next(alphabet.Length)]; break;
                    case 1: line.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                    default: line.Remove(at, 1); break;
                }
            }
            yield return line.ToString();
        }
    }

    [Theory]
    [MemberData(nameof(Lines))]
    [MemberData(nameof(ClientLines))]
    public void ReadsWhatTheClientSentAsTheReferenceDid(string line)
    {
        Match reference = ReferenceSent.Match(line);
        Assert.Equal(reference.Success, ProtocolElement.TryParseSent(Encoding.UTF8.GetBytes(line), out PacketKind kind, out Guid guid));
        if (!reference.Success) return;
        Assert.Equal(Enum.Parse<PacketKind>(reference.Groups["tag"].Value), kind);
        Assert.Equal(Guid.Parse(reference.Groups["guid"].Value), guid);
    }

    [Fact]
    public void ReadsMutatedClientLinesAsTheReferenceDid()
    {
        foreach (string text in Mutated(ClientLineTexts(), "<>/='- \rAZaz09+fFgGDataCommandPSGuidStream_", seed: 16))
        {
            Assert.True(ReferenceSent.IsMatch(text) == ProtocolElement.TryParseSent(Encoding.UTF8.GetBytes(text), out _, out _), $"Disagreement on '{text}'");
        }
    }

    // Every packet PowerShell's client writes, by PowerShell's own code, and three lines it never writes.
    public static TheoryData<string> ClientLines() => new(ClientLineTexts());

    private static string[] ClientLineTexts()
    {
        Type utils = typeof(System.Management.Automation.PSObject).Assembly.GetType("System.Management.Automation.Remoting.OutOfProcessUtils", throwOnError: true)!;
        string Create(string packet, params object[] arguments) =>
            (string)utils.GetMethod(packet, System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!.Invoke(null, arguments)!;
        Type priority = typeof(System.Management.Automation.PSObject).Assembly.GetType("System.Management.Automation.Remoting.DataPriorityType", throwOnError: true)!;
        var command = Guid.Parse("7c0e2a55-3b1d-4f6e-8a9b-0c1d2e3f4a5b");
        return [
            Create("CreateDataPacket", new byte[] { 1, 2, 3 }, Enum.ToObject(priority, 0), command),
            Create("CreateDataPacket", new byte[] { 1, 2, 3 }, Enum.ToObject(priority, 1), Guid.Empty),
            Create("CreateCommandPacket", command),
            Create("CreateClosePacket", command),
            Create("CreateSignalPacket", command),
            // Not what PowerShell writes, but what the expression read: a stream on any packet, or none on data.
            $"<Data PSGuid='{command}'>AAAA</Data>",
            $"<Close Stream='Default' PSGuid='{command}' />",
            $"<Data Stream='Défaut' PSGuid='{command}'>AAAA</Data>",
        ];
    }

    [Theory]
    [InlineData("YQ==")]
    [InlineData("YR==")] // unused bits set: PowerShell's own decoding takes it, so the guard does
    [InlineData("YWJ=")]
    [InlineData("YWJj")]
    [InlineData("YQ=")]
    [InlineData("")]
    public void DecodesBase64AsPowerShellDoes(string text)
    {
        var expected = new byte[8];
        var actual = new byte[8];
        bool ok = Convert.TryFromBase64Chars(text, expected, out int expectedLength);
        Assert.Equal(ok, ProtocolGuard.TryDecode(Encoding.ASCII.GetBytes(text), actual, out int actualLength));
        if (ok) Assert.Equal(expected[..expectedLength], actual[..actualLength]);
    }

    [Fact]
    public void PassesAnAcknowledgementOnlyOfWhatWasSent()
    {
        var guard = new ProtocolGuard(ReceiveLimits.Default);
        byte[] ack = Encoding.ASCII.GetBytes($"<CommandAck PSGuid='{Command}' />");
        Assert.Equal("SandboxProtocolViolation", Assert.Throws<LandlockException>(() => guard.Check(ack)).ErrorId);
        guard.Sent(Encoding.ASCII.GetBytes($"<Command PSGuid='{Command}' />"));
        guard.Check(ack);
        Assert.Throws<LandlockException>(() => guard.Check(ack));
    }

    [Fact]
    public void CountsAnObjectAcrossItsFragmentsAgainstTheLimit()
    {
        ProtocolGuard guard = Running(new ReceiveLimits(MaximumReceivedObjectSize: 500, MaximumReceivedDataSizePerCommand: null));
        guard.Check(DataLine(Fragment(300, start: true)));
        Assert.Equal("ReceivedObjectTooLarge", Assert.Throws<LandlockException>(() => guard.Check(DataLine(Fragment(300, start: false)))).ErrorId);

        ProtocolGuard fresh = Running(new ReceiveLimits(500, null));
        fresh.Check(DataLine(Fragment(300, start: true)));
        fresh.Check(DataLine(Fragment(300, start: true)));
    }

    [Fact]
    public void DropsDataForACommandNotRunningWithoutKeepingAnAccount()
    {
        var guard = new ProtocolGuard(new ReceiveLimits(500, null));
        Assert.False(guard.Check(DataLine(Fragment(300))));
        Assert.False(guard.Check(DataLine(Fragment(300, start: false))));
        guard.Sent(Encoding.ASCII.GetBytes($"<Command PSGuid='{Command}' />"));
        Assert.True(guard.Check(DataLine(Fragment(300))));
        guard.Sent(Encoding.ASCII.GetBytes($"<Close PSGuid='{Command}' />"));
        Assert.True(guard.Check(Encoding.ASCII.GetBytes($"<CloseAck PSGuid='{Command}' />")));
        Assert.False(guard.Check(DataLine(Fragment(300, start: false))));
    }

    [Fact]
    public void RefusesAForwardedEngineEventAndPassesOtherMessages()
    {
        ProtocolGuard guard = Running(ReceiveLimits.Default);
        Assert.True(guard.Check(DataLine(Fragment(40, messageType: 0x00041004))));
        Assert.Equal("SandboxProtocolViolation", Assert.Throws<LandlockException>(() => guard.Check(DataLine(Fragment(40, messageType: 0x00021008)))).ErrorId);
    }

    // Red team: PowerShell's client hands a message on the session's own stream to the command its
    // header names (DispatchMessageToPowerShell), on the session's callback thread, apart from the
    // command's own data and end: a command's host call sent there can be written after the command
    // ended and the prompt after it was drawn. PowerShell's server sends a command's messages on the
    // command's own stream only (and the client refuses one there that names another command).
    [Fact]
    public void RefusesACommandsMessageOnTheSessionsStream()
    {
        Guid command = Guid.Parse(Command);
        byte[] hostCall = PsrpLines.Message(0x00041100, command, "<Obj RefId=\"0\" />");
        ProtocolGuard guard = Running(ReceiveLimits.Default);
        // The allowed twins: the same message on the command's own stream, and the session's own host call on the session's stream.
        Assert.True(guard.Check(Encoding.ASCII.GetBytes(PsrpLines.Line(command, false, PsrpLines.Fragment(1, 0, true, true, hostCall)))));
        Assert.True(guard.Check(Encoding.ASCII.GetBytes(PsrpLines.Line(Guid.Empty, false, PsrpLines.Fragment(2, 0, true, true, PsrpLines.Message(0x00021100, Guid.Empty, "<Obj RefId=\"0\" />"))))));
        foreach (bool promptResponse in new[] { false, true })
        {
            Assert.Equal("SandboxProtocolViolation", Assert.Throws<LandlockException>(() =>
                Running(ReceiveLimits.Default).Check(Encoding.ASCII.GetBytes(PsrpLines.Line(Guid.Empty, promptResponse, PsrpLines.Fragment(3, 0, true, true, hostCall))))).ErrorId);
        }
    }

    // The other way round: a command's stream carries that command's messages only.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RefusesTheSessionsOrAnotherCommandsMessageOnACommandsStream(bool ofTheSession)
    {
        Guid command = Guid.Parse(Command);
        byte[] message = PsrpLines.Message(ofTheSession ? 0x00021100u : 0x00041004u, ofTheSession ? Guid.Empty : Guid.NewGuid(), "<Obj RefId=\"0\" />");
        Assert.Equal("SandboxProtocolViolation", Assert.Throws<LandlockException>(() =>
            Running(ReceiveLimits.Default).Check(Encoding.ASCII.GetBytes(PsrpLines.Line(command, false, PsrpLines.Fragment(1, 0, true, true, message))))).ErrorId);
    }

    // A first fragment shorter than the message header keeps the message type for the next one,
    // which PowerShell puts together with it all the same: a forwarded event passed that way.
    [Theory]
    [InlineData(4)]
    [InlineData(39)]
    public void RefusesAnObjectWhoseFirstFragmentSplitsTheMessageHeader(int blobBytes) =>
        Assert.Equal("SandboxProtocolViolation",
            Assert.Throws<LandlockException>(() => Running(ReceiveLimits.Default).Check(DataLine(Fragment(blobBytes)))).ErrorId);

    [Fact]
    public void AnswersWhetherAPacketSentIsStillUnanswered()
    {
        var guard = new ProtocolGuard(ReceiveLimits.Default);
        SentPacket signal = guard.Sent(Encoding.ASCII.GetBytes($"<Signal PSGuid='{Command}' />"))!.Value;
        Assert.Equal((PacketKind.Signal, Guid.Parse(Command)), (signal.Kind, signal.Guid));
        Assert.True(guard.IsUnanswered(signal));
        guard.Check(Encoding.ASCII.GetBytes($"<SignalAck PSGuid='{Command}' />"));
        Assert.False(guard.IsUnanswered(signal));
    }

    // A PowerShell object invoked again sends its next command, and closes it, under the same PSGuid,
    // sometimes before the server answered the last close: each packet is answered in its turn.
    [Fact]
    public void TellsPacketsUnderTheSamePSGuidApart()
    {
        var guard = new ProtocolGuard(ReceiveLimits.Default);
        byte[] closeAck = Encoding.ASCII.GetBytes($"<CloseAck PSGuid='{Command}' />");
        SentPacket first = guard.Sent(Encoding.ASCII.GetBytes($"<Close PSGuid='{Command}' />"))!.Value;
        SentPacket second = guard.Sent(Encoding.ASCII.GetBytes($"<Close PSGuid='{Command}' />"))!.Value;
        guard.Check(closeAck);
        Assert.False(guard.IsUnanswered(first));
        Assert.True(guard.IsUnanswered(second));
        SentPacket third = guard.Sent(Encoding.ASCII.GetBytes($"<Close PSGuid='{Command}' />"))!.Value;
        guard.Check(closeAck);
        Assert.False(guard.IsUnanswered(second));
        Assert.True(guard.IsUnanswered(third));
        guard.Check(closeAck);
        Assert.False(guard.IsUnanswered(third));
    }

    [Fact]
    public void KeepsTheDataOfACommandStartedAgainBeforeItsLastCloseWasAnswered()
    {
        var guard = new ProtocolGuard(new ReceiveLimits(500, 500));
        byte[] closeAck = Encoding.ASCII.GetBytes($"<CloseAck PSGuid='{Command}' />");
        guard.Sent(Encoding.ASCII.GetBytes($"<Command PSGuid='{Command}' />"));
        Assert.True(guard.Check(DataLine(Fragment(300))));
        guard.Sent(Encoding.ASCII.GetBytes($"<Close PSGuid='{Command}' />"));
        guard.Sent(Encoding.ASCII.GetBytes($"<Command PSGuid='{Command}' />"));
        guard.Check(closeAck);
        // The new run counts afresh: 300 more bytes are within its 500.
        Assert.True(guard.Check(DataLine(Fragment(300))));
        guard.Sent(Encoding.ASCII.GetBytes($"<Close PSGuid='{Command}' />"));
        guard.Check(closeAck);
        Assert.False(guard.Check(DataLine(Fragment(300))));
    }

    private static ProtocolGuard Running(ReceiveLimits limits)
    {
        var guard = new ProtocolGuard(limits);
        guard.Sent(Encoding.ASCII.GetBytes($"<Command PSGuid='{Command}' />"));
        return guard;
    }

    [Theory]
    [InlineData("")]
    [InlineData("AAAA")]
    public void RefusesDataWithoutAWholeFragment(string base64) =>
        Assert.Equal("SandboxProtocolViolation",
            Assert.Throws<LandlockException>(() => Running(ReceiveLimits.Default).Check(DataLine(base64))).ErrorId);

    [Fact]
    public void SplitsLinesHoweverTheBytesArrive()
    {
        string text = $"first\r\n<DataAck PSGuid='{Session}' />\n\nlast line\n";
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            var splitter = new ProtocolLineSplitter(1024);
            var lines = new List<string>();
            void OnLine(ReadOnlySpan<byte> line) => lines.Add(Encoding.UTF8.GetString(line));
            Assert.True(splitter.Push(bytes.AsSpan(0, cut), OnLine));
            Assert.True(splitter.Push(bytes.AsSpan(cut), OnLine));
            Assert.Equal(["first", $"<DataAck PSGuid='{Session}' />", "", "last line"], lines);
        }
    }

    [Fact]
    public void RefusesALineLongerThanItsLimitAndTakesOneOfExactlyIt()
    {
        var lines = new List<int>();
        var splitter = new ProtocolLineSplitter(10);
        Assert.True(splitter.Push("0123456789\n"u8, line => lines.Add(line.Length)));
        Assert.True(splitter.Push("01234"u8, line => lines.Add(line.Length)));
        Assert.True(splitter.Push("56789\n"u8, line => lines.Add(line.Length)));
        Assert.Equal([10, 10], lines);
        Assert.False(splitter.Push("01234567890\n"u8, line => lines.Add(line.Length)));
        Assert.False(new ProtocolLineSplitter(10).Push("0123456789A"u8, _ => { }));
    }

    private static bool ReferenceAccepts(string line)
    {
        if (ReferenceAck.IsMatch(line)) return true;
        Match data = ReferenceData.Match(line);
        return data.Success && Convert.TryFromBase64Chars(data.Groups["data"].Value, new byte[line.Length], out int length) && length > 0;
    }

    private static bool Accepts(byte[] line)
    {
        if (ProtocolElement.TryParseAck(line, out _, out _)) return true;
        return ProtocolElement.TryParseData(line, out _, out _, out ReadOnlySpan<byte> base64)
            && ProtocolGuard.TryDecode(base64, new byte[line.Length], out int length) && length > 0;
    }

    private static byte[] DataLine(string base64) => Encoding.ASCII.GetBytes($"<Data Stream='Default' PSGuid='{Command}'>{base64}</Data>");

    // One PSRP fragment: object id, fragment id, flags (start and end), blob length, blob (whose
    // message header, when it starts an object, names the message type: little-endian after the
    // destination; and, when whole, the command of the stream DataLine puts it on).
    private static string Fragment(int blobBytes, bool start = true, uint messageType = 0)
    {
        var fragment = new byte[21 + blobBytes];
        if (start && blobBytes >= 8) System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(fragment.AsSpan(25), messageType);
        if (start && blobBytes >= 40) Guid.Parse(Command).TryWriteBytes(fragment.AsSpan(21 + 24));
        fragment[7] = 1;
        fragment[16] = (byte)(start ? 3 : 2);
        fragment[17] = (byte)(blobBytes >> 24);
        fragment[18] = (byte)(blobBytes >> 16);
        fragment[19] = (byte)(blobBytes >> 8);
        fragment[20] = (byte)blobBytes;
        return Convert.ToBase64String(fragment);
    }
}
