namespace LandlockPS.Core.Native;

/// <summary>Linux errno values the module reacts to (asm-generic numbering, shared by x86_64 and arm64).</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EEXIST = 17;
    public const int EISDIR = 21;
    public const int ENOEXEC = 8;
    public const int ECHILD = 10;
    public const int E2BIG = 7;
    public const int EBADF = 9;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EFAULT = 14;
    public const int ENOTDIR = 20;
    public const int EINVAL = 22;
    public const int EMFILE = 24;
    public const int ETXTBSY = 26;
    public const int EROFS = 30;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;
    public const int ENOMSG = 42;
    public const int EBADFD = 77;
    public const int EOPNOTSUPP = 95;
    public const int EAFNOSUPPORT = 97;

    /// <summary>The symbolic name of an errno value, for messages ("EACCES"), or "errno N".</summary>
    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
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
