using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Security;
using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

using static PsrpLines;

/// <summary>
/// What a session's own host wrote while nobody waited is written on the caller's host when the
/// caller closes the session: the text calls, put together from their fragments stream by stream,
/// and nothing else.
/// </summary>
public class HeldHostCallsTests
{
    private const string EnumType = "<T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN>";

    private static string Call(string method, int id, params string[] arguments) =>
        "<Obj RefId=\"0\"><MS><I64 N=\"ci\">-100</I64><Obj N=\"mi\" RefId=\"1\"><TN RefId=\"0\"><T>System.Management.Automation.Remoting.RemoteHostMethodId</T>" +
        $"{EnumType}<ToString>{method}</ToString><I32>{id}</I32></Obj><Obj N=\"mp\" RefId=\"2\"><TN RefId=\"1\"><T>System.Collections.ArrayList</T><T>System.Object</T></TN>" +
        $"<LST>{string.Concat(arguments)}</LST></Obj></MS></Obj>";

    private static string Color(ConsoleColor color, int refId) =>
        $"<Obj RefId=\"{refId}\"><TN RefId=\"{refId}\"><T>System.ConsoleColor</T>{EnumType}<ToString>{color}</ToString><I32>{(int)color}</I32></Obj>";

    [Fact]
    public void WritesTheTextCallsInOrderPutTogetherFromTheirFragments()
    {
        byte[] line = Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call("WriteLine2", 16, "<S>first</S>"));
        byte[] colored = Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call("Write2", 14, Color(ConsoleColor.Red, 3), Color(ConsoleColor.Black, 4), "<S>second</S>"));
        byte[] state = Message(MessageType.RunspacePoolState, Guid.Empty, "<Obj RefId=\"0\"><MS><I32 N=\"RunspaceState\">2</I32></MS></Obj>");
        var ui = new RecordingUI();
        HeldHostCalls.WriteText(
        [
            Line(Guid.Empty, false, Fragment(1, 0, true, false, line[..60])),
            // Another object on the other stream does not end the call begun on this one.
            Line(Guid.Empty, true, Fragment(2, 0, true, true, state)),
            Line(Guid.Empty, false, Fragment(1, 1, false, true, line[60..]), Fragment(3, 0, true, true, colored)),
        ], ui);
        Assert.Equal(["WriteLine first", "Write Red Black second"], ui.Written);
    }

    [Fact]
    public void LeavesOutWhatIsNoTextCallAndACallCutShort()
    {
        byte[] readLine = Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call("ReadLine", 11));
        byte[] cut = Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call("WriteLine2", 16, "<S>never whole</S>"));
        var ui = new RecordingUI();
        HeldHostCalls.WriteText([Line(Guid.Empty, false, Fragment(1, 0, true, true, readLine), Fragment(2, 0, true, false, cut[..50]))], ui);
        Assert.Empty(ui.Written);
    }

    // The sandbox writes these: none of it may keep the caller from closing the session.
    [Theory]
    [InlineData("<Obj RefId=\"0\"><MS><I64 N=\"ci\">-100</I64>")]
    [InlineData("not xml at all")]
    [InlineData("<Obj RefId=\"0\"><MS><Ref N=\"mi\" RefId=\"9\" /></MS></Obj>")]
    [InlineData("<Obj RefId=\"0\"><MS><S N=\"mi\">WriteLine2</S><S N=\"mp\">not a list</S></MS></Obj>")]
    public void WritesNothingForWhatPowerShellCannotReadAndGoesOn(string clixml)
    {
        byte[] broken = Message(MessageType.RunspacePoolHostCall, Guid.Empty, clixml);
        byte[] line = Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call("WriteLine2", 16, "<S>after</S>"));
        var ui = new RecordingUI();
        HeldHostCalls.WriteText([Line(Guid.Empty, false, Fragment(1, 0, true, true, broken), Fragment(2, 0, true, true, line))], ui);
        Assert.Equal(["WriteLine after"], ui.Written);
    }

    // The sandbox chooses its objects' type names: converting one to text would run whatever the
    // caller's type table attaches to those names (here a script method), in the caller.
    [Fact]
    public void TakesArgumentsAsSentAndNeverRunsTheCallersTypeDataOnThem()
    {
        using var shell = PowerShell.Create();
        shell.AddScript("Update-TypeData -TypeName Deserialized.Chosen -MemberType ScriptMethod -MemberName ToString -Value { $global:ran = $true; 'converted' } -Force").Invoke();
        const string chosen = "<Obj RefId=\"5\"><TN RefId=\"5\"><T>Chosen</T><T>System.Object</T></TN><MS><S N=\"a\">x</S></MS></Obj>";
        byte[] text = Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call("WriteLine2", 16, chosen));
        byte[] colored = Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call("WriteLine3", 17, chosen, Color(ConsoleColor.Black, 6), "<S>coloured</S>"));
        byte[] offRange = Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call("Write2", 14, "<I32>99</I32>", "<I32>0</I32>", "<S>no such colour</S>"));
        byte[] plain = Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call("WriteLine3", 17, "<I32>12</I32>", "<I32>0</I32>", "<S>plain</S>"));
        // The method is its number: the type names of its enum cannot make the caller's type data run either.
        byte[] byNumber = Message(MessageType.RunspacePoolHostCall, Guid.Empty,
            Call("WriteLine2", 16, "<S>by number</S>").Replace("<T>System.Management.Automation.Remoting.RemoteHostMethodId</T>", "<T>Chosen</T>"));
        var ui = new RecordingUI();
        Runspace? before = Runspace.DefaultRunspace;
        Runspace.DefaultRunspace = shell.Runspace;
        try
        {
            HeldHostCalls.WriteText([Line(Guid.Empty, false, Fragment(1, 0, true, true, text), Fragment(2, 0, true, true, colored), Fragment(3, 0, true, true, offRange), Fragment(4, 0, true, true, plain), Fragment(5, 0, true, true, byNumber))], ui);
        }
        finally
        {
            Runspace.DefaultRunspace = before;
        }
        Assert.Equal(["WriteLine Red Black plain", "WriteLine by number"], ui.Written);
        Assert.Null(shell.Runspace.SessionStateProxy.GetVariable("ran"));
    }

    private sealed class RecordingUI : PSHostUserInterface
    {
        public List<string> Written { get; } = [];
        public override PSHostRawUserInterface? RawUI => null;
        public override void Write(string value) => Written.Add($"Write {value}");
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Written.Add($"Write {foregroundColor} {backgroundColor} {value}");
        public override void WriteLine(string value) => Written.Add($"WriteLine {value}");
        public override void WriteLine(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Written.Add($"WriteLine {foregroundColor} {backgroundColor} {value}");
        public override void WriteErrorLine(string value) => Written.Add($"WriteErrorLine {value}");
        public override void WriteDebugLine(string message) => Written.Add($"WriteDebugLine {message}");
        public override void WriteProgress(long sourceId, ProgressRecord record) => Written.Add("WriteProgress");
        public override void WriteVerboseLine(string message) => Written.Add($"WriteVerboseLine {message}");
        public override void WriteWarningLine(string message) => Written.Add($"WriteWarningLine {message}");
        public override string ReadLine() => throw new NotSupportedException();
        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new NotSupportedException();
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException();
    }
}
