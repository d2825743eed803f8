using System;

namespace LandlockPS;

/// <summary>One confined run as Invoke-Sandboxed drives it: a program (NativeRun) or a script block (ScriptBlockRun).</summary>
internal interface ISandboxRun : IDisposable
{
    /// <summary>Hands one input object to the run (its stdin, or the block's pipeline).</summary>
    void Feed(object? input);

    /// <summary>Ends the input, emits the rest of the output and reports how the run ended.</summary>
    void Finish();

    /// <summary>Ends the run now (Ctrl+C); safe from any thread.</summary>
    void Kill();
}
