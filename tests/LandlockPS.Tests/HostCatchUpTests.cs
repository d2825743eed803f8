using System;
using System.Text;
using System.Threading.Tasks;
using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// The transport's own host call, sent after a session's own calls: a whole object on the session's
/// prompt response stream that the caller's host recognises, which no other text can pass for; a
/// command's end waits until it is carried out, and no longer than the session lives.
/// </summary>
public class HostCatchUpTests
{
    private static readonly Guid Pool = Guid.NewGuid();

    [Fact]
    public void SendsAWholeHostCallOfTheSessionOnItsPromptResponseStream()
    {
        var catchUp = new HostCatchUp();
        string line = catchUp.NextMarker(Pool);
        Assert.StartsWith($"<Data Stream='PromptResponse' PSGuid='{Guid.Empty}'>", line);
        Assert.EndsWith("</Data>", line);

        ReadOnlySpan<byte> data = Convert.FromBase64String(line[(line.IndexOf("'>", StringComparison.Ordinal) + 2)..^"</Data>".Length]);
        RemotingFragment fragment = RemotingFragment.Next(ref data);
        Assert.True(data.IsEmpty, "one fragment");
        Assert.True(fragment.Starts && fragment.Ends, "a whole object");
        Assert.Equal(MessageType.RunspacePoolHostCall, fragment.MessageType);
        Assert.Equal(Guid.Empty, fragment.PowerShellId);
        Assert.Equal(Pool, new Guid(fragment.Blob.Slice(8, 16)));
        Assert.Equal([0xEF, 0xBB, 0xBF], fragment.Blob.Slice(RemotingFragment.MessageHeaderBytes, 3).ToArray());
        Assert.Contains("<ToString>WriteLine2</ToString><I32>16</I32>", Encoding.UTF8.GetString(fragment.Blob));

        Assert.True(catchUp.TryReach(MarkerText(line)));
        Assert.True(catchUp.Await(0));
    }

    [Fact]
    public void SendsACommandsMarkerAsAHostCallOfThatCommand()
    {
        var catchUp = new HostCatchUp();
        var command = Guid.NewGuid();
        string line = catchUp.NextMarker(Pool, command);
        Assert.StartsWith($"<Data Stream='PromptResponse' PSGuid='{command}'>", line);

        ReadOnlySpan<byte> data = Convert.FromBase64String(line[(line.IndexOf("'>", StringComparison.Ordinal) + 2)..^"</Data>".Length]);
        RemotingFragment fragment = RemotingFragment.Next(ref data);
        Assert.True(fragment.Starts && fragment.Ends, "a whole object");
        Assert.Equal(MessageType.PipelineHostCall, fragment.MessageType);
        Assert.Equal(command, fragment.PowerShellId);
        Assert.Equal(Pool, new Guid(fragment.Blob.Slice(8, 16)));

        Assert.False(catchUp.Await(0));
        Assert.True(catchUp.TryReach(MarkerText(line)));
        Assert.True(catchUp.Await(0));
    }

    [Fact]
    public void TakesNoOtherTextForItsMarker()
    {
        var catchUp = new HostCatchUp();
        string marker = MarkerText(catchUp.NextMarker(Pool));
        string another = MarkerText(new HostCatchUp().NextMarker(Pool));
        Assert.False(catchUp.TryReach(another), "another session's marker");
        Assert.False(catchUp.TryReach("LandlockPS-catch-up-"));
        Assert.False(catchUp.TryReach(null));
        Assert.False(catchUp.Await(50), "not reached");
        // The control: its own.
        Assert.True(catchUp.TryReach(marker));
        Assert.True(catchUp.Await(50));
    }

    [Fact]
    public void WaitsForTheLastMarkerNotAnEarlierOne()
    {
        var catchUp = new HostCatchUp();
        string first = MarkerText(catchUp.NextMarker(Pool));
        string second = MarkerText(catchUp.NextMarker(Pool));
        Assert.True(catchUp.TryReach(first));
        Assert.False(catchUp.Await(50), "one given up on earlier is carried out late");
        Assert.True(catchUp.TryReach(second));
        Assert.True(catchUp.Await(50));
    }

    [Fact]
    public async Task EndsTheWaitWhenItIsReachedOrTheSessionEnds()
    {
        var catchUp = new HostCatchUp();
        string marker = MarkerText(catchUp.NextMarker(Pool));
        Task<bool> waiting = Task.Run(() => catchUp.Await(30_000));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        catchUp.TryReach(marker);
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));

        catchUp.NextMarker(Pool);
        waiting = Task.Run(() => catchUp.Await(30_000));
        catchUp.Cancel();
        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(30)), "the session ended");
    }

    private static string MarkerText(string line)
    {
        string body = Encoding.UTF8.GetString(Convert.FromBase64String(line[(line.IndexOf("'>", StringComparison.Ordinal) + 2)..^"</Data>".Length]));
        return body[(body.IndexOf("<S>", StringComparison.Ordinal) + 3)..body.IndexOf("</S>", StringComparison.Ordinal)];
    }
}
