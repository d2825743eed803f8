using System;
using System.Linq;
using System.Text;
using LandlockPS.Core;
using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

using static PsrpLines;

/// <summary>
/// A session's own host calls wait while no command of the caller's runs, with whatever follows them
/// on the session's stream, and come out in order once the caller waits again. Everything else passes.
/// </summary>
public class IdleHostCallsTests
{
    private const string Call = "<Obj RefId=\"0\"><MS><I64 N=\"ci\">-100</I64></MS></Obj>";

    private bool _runs;
    private readonly IdleHostCalls _idle;

    public IdleHostCallsTests() => _idle = new IdleHostCalls(() => _runs);

    [Fact]
    public void HoldsTheSessionsHostCallsAndWhatFollowsThemWhileNoCommandRuns()
    {
        string call = Whole(Guid.Empty, MessageType.RunspacePoolHostCall, 1);
        string state = Whole(Guid.Empty, MessageType.RunspacePoolState, 2);
        Assert.False(Hold(state), "nothing waits, and this is no host call");
        Assert.True(Hold(call));
        Assert.True(Hold(state), "what follows a waiting call on the session's stream waits behind it");
        _runs = true;
        Assert.Equal([call, state], _idle.Release().ToArray());
        Assert.False(_idle.HasHeld);
    }

    [Fact]
    public void PassesHostCallsWhileACommandRunsAndACommandsOwnAlways()
    {
        _runs = true;
        Assert.False(Hold(Whole(Guid.Empty, MessageType.RunspacePoolHostCall, 1)));
        _runs = false;
        Guid command = Guid.NewGuid();
        Assert.False(Hold(Whole(command, MessageType.PipelineHostCall, 2)));
        Assert.False(Hold(Whole(Guid.Empty, MessageType.RunspacePoolHostCall, 3).Replace("'Default'", "'Default' ", StringComparison.Ordinal)), "not a data line");
    }

    [Fact]
    public void HoldsTheRestOfAHostCallBegunWhileACommandRan()
    {
        byte[] message = Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call);
        _runs = true;
        Assert.False(Hold(Line(Guid.Empty, false, Fragment(4, 0, true, false, message[..50]))));
        _runs = false;
        Assert.True(Hold(Line(Guid.Empty, false, Fragment(4, 1, false, true, message[50..]))));
        Assert.True(Hold(Whole(Guid.Empty, MessageType.RunspacePoolState, 5)), "and what follows it");
    }

    // PowerShell puts each stream's fragments together apart: a fragment that starts an object on
    // the prompt response stream does not end a host call that goes on on the default stream.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HoldsTheRestOfAHostCallWhateverStartsOnTheOtherStreamMeanwhile(bool otherStream)
    {
        byte[] message = Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call);
        _runs = true;
        Assert.False(Hold(Line(Guid.Empty, false, Fragment(4, 0, true, false, message[..50]))));
        _runs = false;
        // Begun, never ended: PowerShell waits for the rest of it, on the stream it came on.
        byte[] state = Message(MessageType.RunspacePoolState, Guid.Empty, Call)[..40];
        Assert.False(Hold(Line(Guid.Empty, otherStream, Fragment(5, 0, true, false, state))), "no host call, and nothing waits");
        // The control: on the same stream that start drops the call (PowerShell would refuse its rest), so nothing of it is carried out.
        Assert.Equal(otherStream, Hold(Line(Guid.Empty, false, Fragment(4, 1, false, true, message[50..]))));
    }

    [Fact]
    public void HoldsCallsOnTheSessionsPromptResponseStreamToo()
    {
        Assert.True(Hold(Line(Guid.Empty, true, Fragment(6, 0, true, true, Message(MessageType.RunspacePoolHostCall, Guid.Empty, Call)))));
    }

    // The caller waits for the answer to what it asked of the session itself (how many runspaces it
    // may use), and for its close: what waits comes out then. Not on the answer to data the session
    // made it send by asking (its public key, or an answer to one of its host calls): the sandbox
    // would pick the moment its held text is written, while the caller types.
    [Theory]
    [InlineData(MessageType.SetMaxRunspaces, true)]
    [InlineData(MessageType.PublicKey, false)]
    [InlineData(MessageType.RunspacePoolHostResponse, false)]
    public void ReleasesOnTheAnswerToWhatTheCallerAskedOfTheSession(uint sent, bool releases)
    {
        Assert.True(Hold(Whole(Guid.Empty, MessageType.RunspacePoolHostCall, 1)));
        _idle.Sent(Encoding.ASCII.GetBytes(Whole(Guid.Empty, sent, 7)));
        Assert.Equal(releases, _idle.Releases(PacketKind.Data, Guid.Empty, waitedBefore: false));
        Assert.True(_idle.Releases(PacketKind.Close, Guid.Empty, waitedBefore: false), "the caller waits for its close");
        _runs = true;
        Assert.True(_idle.Releases(PacketKind.Data, Guid.Empty, waitedBefore: true), "any line, while a command runs");
    }

    // A command's answers (its start, data, stop, end) are awaited when the caller waited for a
    // command just before: not for a job it sent with -AsJob, which ends while it types.
    [Theory]
    [InlineData((int)PacketKind.Command)]
    [InlineData((int)PacketKind.Data)]
    [InlineData((int)PacketKind.Signal)]
    [InlineData((int)PacketKind.Close)]
    public void ReleasesOnACommandsAnswerOnlyWhenTheCallerWaitedForACommand(int ack)
    {
        Assert.True(Hold(Whole(Guid.Empty, MessageType.RunspacePoolHostCall, 1)));
        Assert.False(_idle.Releases((PacketKind)ack, Guid.NewGuid(), waitedBefore: false), "a job's answer, nothing else running");
        Assert.True(_idle.Releases((PacketKind)ack, Guid.NewGuid(), waitedBefore: true), "the answer to a command the caller waited for");
    }

    [Fact]
    public void EndsASessionThatWritesTooMuchWhileNobodyWaits()
    {
        string call = Whole(Guid.Empty, MessageType.RunspacePoolHostCall, 1, new string('x', 1 << 20));
        for (int i = 0; i < IdleHostCalls.MaxHeldChars / call.Length; i++) Assert.True(Hold(call));
        Assert.Equal("ReceivedDataTooLarge", Assert.Throws<LandlockException>(() => Hold(call)).ErrorId);
    }

    [Fact]
    public void TellsWhetherTheSessionsHostCallsWereHandedOnSinceLastAsked()
    {
        Assert.False(Hold(Whole(Guid.Empty, MessageType.RunspacePoolState, 1)));
        Assert.False(_idle.TakeCallsHanded(), "no host call");
        _runs = true;
        Assert.False(Hold(Whole(Guid.Empty, MessageType.RunspacePoolHostCall, 2)));
        Assert.True(_idle.TakeCallsHanded());
        Assert.False(_idle.TakeCallsHanded(), "asked once");
        Assert.False(Hold(Whole(Guid.NewGuid(), MessageType.PipelineHostCall, 3)));
        Assert.False(_idle.TakeCallsHanded(), "a command's own call");
        _runs = false;
        Assert.True(Hold(Whole(Guid.Empty, MessageType.RunspacePoolHostCall, 4)));
        Assert.False(_idle.TakeCallsHanded(), "it waits");
        Assert.Single(_idle.Release());
        Assert.True(_idle.TakeCallsHanded(), "released");
    }

    private bool Hold(string line) => _idle.Hold(Encoding.ASCII.GetBytes(line), line);

    private static string Whole(Guid stream, uint type, long objectId, string? text = null) =>
        Line(stream, false, Fragment(objectId, 0, true, true, Message(type, stream, text is null ? Call : $"<S>{text}</S>")));
}
