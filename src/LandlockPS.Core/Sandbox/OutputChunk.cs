namespace LandlockPS.Core.Sandbox;

/// <summary>Which of the child's output streams a chunk came from.</summary>
public enum ChildStream
{
    /// <summary>The child's standard output.</summary>
    StandardOutput,
    /// <summary>The child's standard error.</summary>
    StandardError,
}

/// <summary>Bytes the child wrote, in the order they were read.</summary>
public readonly record struct OutputChunk(ChildStream Stream, byte[] Buffer, int Count);
