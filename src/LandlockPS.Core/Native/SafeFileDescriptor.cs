using System;
using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>A file descriptor owned by the module. fd 0 is valid, so -1 marks "none".</summary>
public abstract class SafeFileDescriptor : SafeHandle
{
    /// <summary>Owns <paramref name="fd"/>, closing it when released.</summary>
    protected SafeFileDescriptor(int fd)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The raw descriptor, valid while this handle is alive.</summary>
    public int Fd => checked((int)handle.ToInt64());

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => LibC.Close(Fd) == 0;
}

/// <summary>A Landlock ruleset fd from landlock_create_ruleset.</summary>
public sealed class SafeLandlockRulesetHandle : SafeFileDescriptor
{
    internal SafeLandlockRulesetHandle(int fd) : base(fd) { }
}

/// <summary>An O_PATH descriptor that pins a rule's file or directory while the ruleset is built.</summary>
public sealed class SafePathHandle : SafeFileDescriptor
{
    internal SafePathHandle(int fd) : base(fd) { }
}
