namespace LandlockPS.Core.Landlock;

/// <summary>What an explained path leads to (symlinks followed); it decides which rights concern it.</summary>
public enum LandlockPathType
{
    /// <summary>Nothing there yet (or a symlink to nothing): judged as a new entry of the directory it would be created in (for a symlink, its target's).</summary>
    Missing,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A regular file.</summary>
    File,
    /// <summary>A character or block device (the only files IoctlDev concerns).</summary>
    Device,
    /// <summary>A UNIX socket (the only files ResolveUnix concerns).</summary>
    Socket,
    /// <summary>A FIFO (or, for rights on a symbolic link's own name, the link).</summary>
    Other,
}
