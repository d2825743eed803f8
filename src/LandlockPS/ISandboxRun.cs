using System;

namespace LandlockPS;

/// <summary>One confined run as Invoke-Sandboxed drives it: a program (NativeRun) or a script block (ScriptBlockRun).</summary>
internal interface ISandboxRun : IDisposable
{
    /// <summary>Hands one input object to the run (its stdin, or the block's pipeline).</summary>
    void Feed(object? input);

    /// <summary>Ends the input, emits the rest of the output and reports how the run ended.</summary>
    void Finish();

    /// <summary>Ctrl+C: asks the run to end (a program is interrupted, a block stopped), ending it by force after the grace period; safe from any thread.</summary>
    void Stop();
}
