using System;
using System.Management.Automation;
using System.Threading;

namespace LandlockPS;

/// <summary>A cmdlet whose long waits end when the user presses Ctrl+C (StopProcessing).</summary>
public abstract class CancellableCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    protected CancellationToken StopToken => _stopping.Token;

    protected override void StopProcessing()
    {
        _stopping.Cancel();
        OnStopping();
    }

    /// <summary>Runs on the thread that asked to stop, right away: end what the cmdlet waits on.</summary>
    protected virtual void OnStopping() { }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _stopping.Dispose();
    }
}
