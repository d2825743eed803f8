namespace LandlockPS.Core.Native;

/// <summary>Linux errno values the module reacts to (asm-generic numbering, shared by x86_64 and arm64).</summary>
public static class Errno
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;
    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;
    /// <summary>No such process.</summary>
    public const int ESRCH = 3;
    /// <summary>File exists.</summary>
    public const int EEXIST = 17;
    /// <summary>Is a directory.</summary>
    public const int EISDIR = 21;
    /// <summary>Exec format error.</summary>
    public const int ENOEXEC = 8;
    /// <summary>No child processes.</summary>
    public const int ECHILD = 10;
    /// <summary>Argument list too long.</summary>
    public const int E2BIG = 7;
    /// <summary>Bad file descriptor.</summary>
    public const int EBADF = 9;
    /// <summary>Out of memory.</summary>
    public const int ENOMEM = 12;
    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;
    /// <summary>Device or resource busy.</summary>
    public const int EBUSY = 16;
    /// <summary>Bad address.</summary>
    public const int EFAULT = 14;
    /// <summary>Not a directory.</summary>
    public const int ENOTDIR = 20;
    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;
    /// <summary>Too many open files.</summary>
    public const int EMFILE = 24;
    /// <summary>Text file busy.</summary>
    public const int ETXTBSY = 26;
    /// <summary>Read-only file system.</summary>
    public const int EROFS = 30;
    /// <summary>File name too long.</summary>
    public const int ENAMETOOLONG = 36;
    /// <summary>Function not implemented.</summary>
    public const int ENOSYS = 38;
    /// <summary>Too many levels of symbolic links.</summary>
    public const int ELOOP = 40;
    /// <summary>No message of desired type.</summary>
    public const int ENOMSG = 42;
    /// <summary>File descriptor in bad state.</summary>
    public const int EBADFD = 77;
    /// <summary>Operation not supported.</summary>
    public const int EOPNOTSUPP = 95;
    /// <summary>Address family not supported.</summary>
    public const int EAFNOSUPPORT = 97;

    /// <summary>The symbolic name of an errno value, for messages ("EACCES"), or "errno N".</summary>
    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EEXIST => "EEXIST",
        EISDIR => "EISDIR",
        ENOEXEC => "ENOEXEC",
        ECHILD => "ECHILD",
        EMFILE => "EMFILE",
        ETXTBSY => "ETXTBSY",
        E2BIG => "E2BIG",
        EBADF => "EBADF",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EBUSY => "EBUSY",
        EROFS => "EROFS",
        EFAULT => "EFAULT",
        ENOTDIR => "ENOTDIR",
        EINVAL => "EINVAL",
        ENAMETOOLONG => "ENAMETOOLONG",
        ENOSYS => "ENOSYS",
        ELOOP => "ELOOP",
        ENOMSG => "ENOMSG",
        EBADFD => "EBADFD",
        EOPNOTSUPP => "EOPNOTSUPP",
        EAFNOSUPPORT => "EAFNOSUPPORT",
        _ => $"errno {errno}",
    };
}
