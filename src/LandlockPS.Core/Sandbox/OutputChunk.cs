namespace LandlockPS.Core.Sandbox;

/// <summary>Which of the child's output streams a chunk came from.</summary>
public enum ChildStream
{
    StandardOutput,
    StandardError,
}

/// <summary>Bytes the child wrote, in the order they were read.</summary>
public readonly record struct OutputChunk(ChildStream Stream, byte[] Buffer, int Count);
