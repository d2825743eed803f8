using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;
using LandlockPS.Core;
using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

using static PsrpLines;

/// <summary>
/// What the console host shows after "[landlock]: " in Enter-PSSession is the output of the
/// session's prompt function: every output object of that command is replaced by its plain text,
/// wherever the server sends it, and nothing else is touched. The lines here are built as
/// PowerShell's client and server write them (a tmux test in Seams.HostChannel2 drives the real ones).
/// </summary>
public class ConsolePromptFilterTests
{

    private readonly HashSet<Guid> _running = [];
    private readonly ConsolePromptFilter _filter;

    public ConsolePromptFilterTests() => _filter = new ConsolePromptFilter(_running.Contains);

    [Fact]
    public void ShowsThePromptsCarriageReturnsAndEscapesAsSymbolsAndDropsItsColours()
    {
        Guid prompt = Start("prompt");
        string shown = Shown(Rewritten(Output(prompt, "\r                    \rPS /fake> \u001b]0;title\u0007\u001b[32mgreen\u001b[0m")));
        Assert.Equal("\u240d" + new string(' ', 20) + "\u240dPS /fake> \u241b]0;title\u2407green", shown);
    }

    [Fact]
    public void LeavesAPlainPromptAsItIs()
    {
        Guid prompt = Start("prompt");
        Assert.Equal("PS /work/main> ", Shown(Rewritten(Output(prompt, "PS /work/main> "))));
    }

    [Fact]
    public void KeepsTheEndOfALongPromptOnTheMarksLine()
    {
        Guid prompt = Start("prompt");
        string path = "PS /" + string.Join('/', Enumerable.Range(1, 30).Select(i => $"d{i}")) + "> ";
        string shown = Shown(Rewritten(Output(prompt, path)));
        Assert.Equal(ConsolePromptFilter.MaxPromptColumns, shown.Length);
        Assert.StartsWith("[...]", shown);
        Assert.EndsWith("/d29/d30> ", shown);
    }

    // A terminal gives a wide character two columns: 34 ideographic spaces and "PS /root> " are 44
    // characters, but fill an 80-column line after the mark, and the line you type on would start
    // with a "PS /root> " of the sandbox's own. A character outside ASCII counts as two.
    [Fact]
    public void KeepsAPromptOfWideCharactersOnTheMarksLine()
    {
        Guid prompt = Start("prompt");
        string shown = Shown(Rewritten(Output(prompt, new string('\u3000', 34) + "PS /root> ")));
        Assert.Equal("[...]" + new string('\u3000', 16) + "PS /root> ", shown);
    }

    [Theory]
    [InlineData("PS /home/\u65e5\u672c/\u00e9t\u00e9> ")]
    [InlineData("\U0001F600 PS /root> ")]
    public void KeepsAShortPromptOfWideCharactersWhole(string prompt)
    {
        Guid command = Start("prompt");
        Assert.Equal(prompt, Shown(Rewritten(Output(command, prompt))));
    }

    [Fact]
    public void NeverCutsACharacterOfTwoHalves()
    {
        Guid prompt = Start("prompt");
        string shown = Shown(Rewritten(Output(prompt, string.Concat(Enumerable.Repeat("\U0001F600", 30)))));
        Assert.Equal("[...]" + string.Concat(Enumerable.Repeat("\U0001F600", 21)), shown);
    }

    [Theory]
    [InlineData("<I32>42</I32>", "42")]
    [InlineData("<Obj RefId=\"0\"><TN RefId=\"0\"><T>Fake</T></TN><ToString>\rPS /root&gt; </ToString><MS /></Obj>", "")]
    [InlineData("<S>a</S></Objs><Objs><S>\rb</S>", "")]
    [InlineData("<I32>not a number</I32>", "")]
    [InlineData("<Obj RefId=\"0\"><MS><S N=\"\">x</S></MS></Obj>", "")]
    [InlineData("<C>13</C>", "\u240d")]
    // A secret PowerShell cannot decrypt here (the session's key is the client's), and values its reader refuses with other exceptions than XmlException.
    [InlineData("<SS>AAAA=</SS>", "")]
    [InlineData("<SS>x</SS>", "")]
    [InlineData("<Obj RefId=\"0\"><TN RefId=\"0\"><T>System.Management.Automation.PSCredential</T></TN><Props><S N=\"UserName\">u</S><SS N=\"Password\">zz</SS></Props></Obj>", "")]
    public void ShowsWhatTheConsoleHostWouldOfAnyObjectOrNothingOfWhatItCannotRead(string clixml, string expected)
    {
        Guid prompt = Start("prompt");
        Assert.Equal(expected, Shown(Rewritten(Line(prompt, false,
            Fragment(7, 0, true, true, Message(MessageType.PipelineOutput, prompt, clixml))))));
    }

    // Whatever a hostile server writes as the prompt's output, the caller's session goes on and shows one string.
    [Fact]
    public void ShowsOneStringForAnyMutationOfAnObject()
    {
        Guid prompt = Start("prompt");
        string[] seeds = [.. new object[] { new System.IO.DirectoryInfo("/"), new System.Collections.Hashtable { ["a"] = 1, ["b"] = new Version(1, 2) }, DateTime.UnixEpoch, new Uri("http://x"), new[] { 1, 2, 3 } }
            .Select(o => PSSerializer.Serialize(o)).Select(o => o[(o.IndexOf('>') + 1)..o.LastIndexOf("</Objs>", StringComparison.Ordinal)].Trim())];
        const string Alphabet = "<>/=\"_x0 RefIdNSObjTN123MS&;#";
        var random = new Random(7);
        for (int i = 0; i < 3000; i++)
        {
            var text = new StringBuilder(seeds[random.Next(seeds.Length)]);
            for (int edits = random.Next(1, 4); edits > 0 && text.Length > 0; edits--)
            {
                int at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0: text.Remove(at, Math.Min(random.Next(1, 6), text.Length - at)); break;
                    case 1: text.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                    default: text[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                }
            }
            string line = Line(prompt, false, Fragment(i, 0, true, true, Message(MessageType.PipelineOutput, prompt, text.ToString())));
            Assert.False(ControlCharacters.Any(Shown(Rewritten(line))));
        }
    }

    [Fact]
    public void LeavesEveryOtherCommandAlone()
    {
        Guid other = Start("Get-Date");
        Guid piped = Start("prompt", "Out-String");
        Guid script = Start(["prompt"], isScript: true);
        foreach (Guid command in new[] { other, piped, script })
        {
            Assert.False(_filter.TryRewrite(Encoding.ASCII.GetBytes(Output(command, "\rPS /root> ")), out _));
        }
    }

    [Fact]
    public void LeavesThePromptsOtherMessagesInPlace()
    {
        Guid prompt = Start("prompt");
        byte[] state = Fragment(9, 0, true, true, Message(MessageType.PipelineState, prompt, "<Obj RefId=\"0\"><MS><I32 N=\"MessageType.PipelineState\">4</I32></MS></Obj>"));
        string line = Line(prompt, false, Fragment(8, 0, true, true, Message(MessageType.PipelineOutput, prompt, Clixml("\rx"))), state);
        List<Received> fragments = Fragments(Rewritten(line));
        Assert.Equal(2, fragments.Count);
        Assert.Equal("\u240dx", ShownBy(fragments[0]));
        Assert.Equal(state, fragments[1].Bytes);
    }

    [Fact]
    public void ReplacesAnOutputObjectSentInPiecesOnceItIsWhole()
    {
        Guid prompt = Start("prompt");
        byte[] message = Message(MessageType.PipelineOutput, prompt, Clixml("\rPS /root> "));
        Assert.True(_filter.TryRewrite(Encoding.ASCII.GetBytes(Line(prompt, false, Fragment(3, 0, true, false, message[..50]))), out string? first));
        Assert.Null(first);
        string last = Rewritten(Line(prompt, false, Fragment(3, 1, false, true, message[50..])));
        Received whole = Assert.Single(Fragments(last));
        Assert.Equal(3, whole.ObjectId);
        Assert.True(whole.Starts && whole.Ends);
        Assert.Equal("\u240dPS /root> ", ShownBy(whole));
    }

    // A server may send an object as large as MaximumReceivedObjectSize (200 MB by default) in 32 KB
    // pieces: the filter keeps none of one larger than any prompt, and shows nothing of it.
    [Theory]
    [InlineData(ConsolePromptFilter.MaxPromptObjectBytes + 1, false)]
    [InlineData(ConsolePromptFilter.MaxPromptObjectBytes, true)]
    public void ShowsNothingOfAnObjectTooLargeToBeAPrompt(int bodyBytes, bool shown)
    {
        Guid prompt = Start("prompt");
        // A body is a byte order mark, "<S>", the text and "</S>".
        byte[] message = Message(MessageType.PipelineOutput, prompt, Clixml(new string('d', bodyBytes - 12) + "$ "));
        Assert.Equal(bodyBytes, message.Length - 40);
        string? last = null;
        for (int at = 0, piece = 0; at < message.Length; at += 32 << 10, piece++)
        {
            int end = Math.Min(message.Length, at + (32 << 10));
            Assert.True(_filter.TryRewrite(Encoding.ASCII.GetBytes(Line(prompt, false, Fragment(8, piece, at == 0, end == message.Length, message[at..end]))), out last));
        }
        Assert.Equal(shown ? "[...]" + new string('d', 41) + "$ " : "", Shown(Assert.IsType<string>(last)));
    }

    // The client takes a command's messages from the session's stream, and from the prompt response stream, by the id in their header.
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void ReplacesThePromptsOutputOnWhateverStreamCarriesIt(bool onSessionStream, bool promptResponse)
    {
        Guid prompt = Start("prompt");
        string line = Line(onSessionStream ? Guid.Empty : prompt, promptResponse, Fragment(4, 0, true, true, Message(MessageType.PipelineOutput, prompt, Clixml("\rx"))));
        string rewritten = Rewritten(line);
        Assert.StartsWith(promptResponse ? "<Data Stream='PromptResponse'" : "<Data Stream='Default'", rewritten);
        Assert.Equal("\u240dx", Shown(rewritten));
    }

    // A sandbox sees a command's id before the client sends what the command is, and the client
    // takes output for it at once: until the filter knows it is not the prompt, it is one.
    [Fact]
    public void ReplacesOutputSentForACommandBeforeItIsKnown()
    {
        Guid command = Sent();
        Assert.Equal("\u240dPS /root> ", Shown(Rewritten(Output(command, "\rPS /root> "))));
        Assert.Equal("\u240dPS /root> ", Shown(Rewritten(Line(Guid.Empty, false, Fragment(6, 0, true, true, Message(MessageType.PipelineOutput, command, Clixml("\rPS /root> ")))))));
    }

    [Fact]
    public void LeavesACommandsOutputAloneOnceItIsKnownNotToBeThePrompt()
    {
        Guid command = Sent();
        SendData(command, Fragment(1, 0, true, true, Message(MessageType.CreatePipeline, command, Creation(["Get-Date"], false))));
        Assert.False(_filter.TryRewrite(Encoding.ASCII.GetBytes(Output(command, "\rPS /root> ")), out _));
    }

    // What a closed command left unfinished is dropped with it; kept, a sandbox could leave a large one behind for every command.
    [Fact]
    public void ForgetsTheUnfinishedOutputOfAClosedCommand()
    {
        Guid command = Sent();
        Assert.True(_filter.TryRewrite(Encoding.ASCII.GetBytes(Line(command, false, Fragment(3, 0, true, false, Message(MessageType.PipelineOutput, command, "<S>a")))), out string? held));
        Assert.Null(held);
        SendData(command, Fragment(1, 0, true, true, Message(MessageType.CreatePipeline, command, Creation(["Get-Date"], false))));
        _filter.Sent(new SentPacket(PacketKind.Close, command, 3), Encoding.ASCII.GetBytes($"<Close PSGuid='{command}' />"));
        _running.Remove(command);
        Assert.False(_filter.TryRewrite(Encoding.ASCII.GetBytes($"<CloseAck PSGuid='{command}' />"), out _));
        Assert.False(_filter.TryRewrite(Encoding.ASCII.GetBytes(Line(Guid.Empty, false, Fragment(3, 1, false, true, "b</S>"u8.ToArray()))), out _));
    }

    [Fact]
    public void KnowsThePromptCommandWhenItsCreationComesInPieces()
    {
        Guid prompt = Guid.NewGuid();
        _running.Add(prompt);
        _filter.Sent(new SentPacket(PacketKind.Command, prompt, 1), Encoding.ASCII.GetBytes($"<Command PSGuid='{prompt}' />"));
        byte[] creation = Message(MessageType.CreatePipeline, prompt, Creation(["prompt"], false));
        SendData(prompt, Fragment(1, 0, true, false, creation[..60]));
        SendData(prompt, Fragment(1, 1, false, true, creation[60..]));
        Assert.Equal("\u240dx", Shown(Rewritten(Output(prompt, "\rx"))));
    }

    [Fact]
    public void StopsOnceThePromptCommandIsClosed()
    {
        Guid prompt = Start("prompt");
        _running.Remove(prompt);
        Assert.False(_filter.TryRewrite(Encoding.ASCII.GetBytes($"<CloseAck PSGuid='{prompt}' />"), out _));
        Assert.False(_filter.TryRewrite(Encoding.ASCII.GetBytes(Output(prompt, "\rx")), out _));
    }

    private Guid Start(params string[] commands) => Start(commands, isScript: false);

    private Guid Start(string[] commands, bool isScript)
    {
        Guid command = Sent();
        SendData(command, Fragment(1, 0, true, true, Message(MessageType.CreatePipeline, command, Creation(commands, isScript))));
        return command;
    }

    // A command the client has announced, without saying yet what it is.
    private Guid Sent()
    {
        Guid command = Guid.NewGuid();
        _running.Add(command);
        _filter.Sent(new SentPacket(PacketKind.Command, command, 1), Encoding.ASCII.GetBytes($"<Command PSGuid='{command}' />"));
        return command;
    }

    private void SendData(Guid command, byte[] fragment) =>
        _filter.Sent(new SentPacket(PacketKind.Data, command, 2), Encoding.ASCII.GetBytes(Line(command, false, fragment)));

    // The commands of a creation message, as PowerShell's client serializes them.
    private static string Creation(string[] commands, bool isScript) =>
        "<Obj RefId=\"0\"><MS><Obj N=\"PowerShell\" RefId=\"1\"><MS><Obj N=\"Cmds\" RefId=\"2\"><LST>"
        + string.Concat(commands.Select(c => $"<Obj><MS><S N=\"Cmd\">{c}</S><B N=\"IsScript\">{(isScript ? "true" : "false")}</B><Nil N=\"UseLocalScope\" /></MS></Obj>"))
        + "</LST></Obj></MS></Obj></MS></Obj>";

    private static string Output(Guid command, string text) =>
        Line(command, false, Fragment(5, 0, true, true, Message(MessageType.PipelineOutput, command, Clixml(text))));

    private static string Clixml(string text)
    {
        string objects = PSSerializer.Serialize(text);
        return objects[objects.IndexOf("<S>", StringComparison.Ordinal)..(objects.LastIndexOf("</S>", StringComparison.Ordinal) + 4)];
    }

    private string Rewritten(string line)
    {
        Assert.True(_filter.TryRewrite(Encoding.ASCII.GetBytes(line), out string? rewritten));
        return Assert.IsType<string>(rewritten);
    }

    private sealed record Received(long ObjectId, bool Starts, bool Ends, byte[] Bytes, byte[] Blob);

    private static List<Received> Fragments(string line)
    {
        string base64 = line[(line.IndexOf("'>", StringComparison.Ordinal) + 2)..^"</Data>".Length];
        byte[] data = Convert.FromBase64String(base64);
        var fragments = new List<Received>();
        for (int at = 0; at < data.Length;)
        {
            int blob = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(at + 17));
            fragments.Add(new Received(BinaryPrimitives.ReadInt64BigEndian(data.AsSpan(at)), (data[at + 16] & 1) != 0, (data[at + 16] & 2) != 0,
                data[at..(at + 21 + blob)], data[(at + 21)..(at + 21 + blob)]));
            at += 21 + blob;
        }
        return fragments;
    }

    private static string Shown(string line) => ShownBy(Assert.Single(Fragments(line)));

    // What the client reads from the replaced output message: one string.
    private static string ShownBy(Received fragment)
    {
        Assert.Equal(MessageType.PipelineOutput, BinaryPrimitives.ReadUInt32LittleEndian(fragment.Blob.AsSpan(4)));
        string clixml = Encoding.UTF8.GetString(fragment.Blob.AsSpan(43));
        object value = Assert.Single(PSSerializer.DeserializeAsList(
            $"<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">{clixml}</Objs>"));
        return Assert.IsType<string>(value is PSObject wrapped ? wrapped.BaseObject : value);
    }
}
