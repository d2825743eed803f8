using LandlockPS.Core.Errors;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Landlock;

/// <summary>Turns a failed Landlock-related syscall's errno into an exception a user can act on.</summary>
internal static class KernelErrors
{
    internal static LandlockException ForCreate(int errno)
    {
        const string call = "landlock_create_ruleset";
        return errno switch
        {
            Errno.ENOSYS or Errno.EOPNOTSUPP => Unavailable(errno),
            Errno.EINVAL => new LandlockException(
                "The kernel rejected the ruleset's handled rights as unknown (EINVAL). This is a LandlockPS bug if " +
                "the kernel's ABI supports them; otherwise make the ruleset for an older ABI.", call, errno, "RulesetRejected") { Remedy = LandlockRemedy.ChooseAbi },
            Errno.E2BIG => new LandlockException(
                "The kernel rejected the ruleset attributes as too large for its Landlock version (E2BIG). Make the ruleset for an older ABI.",
                call, errno, "RulesetRejected") { Remedy = LandlockRemedy.ChooseAbi },
            Errno.ENOMSG => new LandlockException(
                "The ruleset handles nothing the kernel supports (ENOMSG). Handle at least one right of the kernel's ABI.",
                call, errno, "RulesetRejected") { Remedy = LandlockRemedy.ChooseAbi },
            Errno.ENOMEM => new LandlockException("The kernel is out of memory for a new ruleset (ENOMEM). Free memory and retry.", call, errno, "ResourceExhausted"),
            _ => new LandlockException($"The kernel could not create the ruleset ({Errno.Name(errno)}).", call, errno, "RulesetRejected"),
        };
    }

    internal static LandlockRuleException ForOpen(string path, int errno)
    {
        const string call = "open";
        return errno switch
        {
            Errno.ENOENT => new LandlockRuleException(path, $"The rule path '{path}' does not exist (ENOENT). Create it, fix the path, or remove the rule.", call, errno, "PathNotFound"),
            Errno.ENOTDIR => new LandlockRuleException(path, $"A component of the rule path '{path}' is not a directory (ENOTDIR). Fix the path.", call, errno, "PathNotFound"),
            Errno.EACCES or Errno.EPERM => new LandlockRuleException(path,
                $"The rule path '{path}' cannot be opened ({Errno.Name(errno)}): the caller may not search one of its parent directories, " +
                "or the caller is itself confined. Rules can only name paths the caller can reach.", call, errno, "PathNotAccessible"),
            Errno.ELOOP => new LandlockRuleException(path, $"The rule path '{path}' has too many levels of symbolic links (ELOOP).", call, errno, "PathNotAccessible"),
            Errno.ENAMETOOLONG => new LandlockRuleException(path, $"The rule path '{path}' is too long (ENAMETOOLONG).", call, errno, "PathNotAccessible"),
            _ => new LandlockRuleException(path, $"The rule path '{path}' cannot be opened ({Errno.Name(errno)}).", call, errno, "PathNotAccessible"),
        };
    }

    internal static LandlockRuleException ForAddRule(string target, int errno)
    {
        const string call = "landlock_add_rule";
        return errno switch
        {
            Errno.EINVAL => new LandlockRuleException(target,
                $"The kernel rejected the rule for {target} (EINVAL): its rights are not handled by the ruleset, or apply only to " +
                "directories while the target is a file, or the port is out of range.", call, errno, "RuleRejected"),
            Errno.ENOMSG => new LandlockRuleException(target, $"The rule for {target} grants no right the kernel enforces (ENOMSG).", call, errno, "RuleRejected"),
            Errno.EBADF or Errno.EBADFD => new LandlockRuleException(target,
                $"The rule for {target} refers to a descriptor the kernel does not accept ({Errno.Name(errno)}): the path must be " +
                "opened on a real filesystem (not e.g. an internal pseudo-filesystem).", call, errno, "RuleRejected"),
            Errno.EPERM => new LandlockRuleException(target, $"The kernel refused to add the rule for {target} (EPERM): the ruleset was already enforced.", call, errno, "RuleRejected"),
            Errno.EAFNOSUPPORT => new LandlockRuleException(target, $"The kernel has no TCP/IP support, so the rule for {target} cannot apply (EAFNOSUPPORT).", call, errno, "RuleRejected"),
            _ => new LandlockRuleException(target, $"The kernel refused the rule for {target} ({Errno.Name(errno)}).", call, errno, "RuleRejected"),
        };
    }

    private static LandlockUnavailableException Unavailable(int errno)
    {
        (LandlockAvailability availability, string reason) = LandlockSupport.Unavailable(errno);
        return new LandlockUnavailableException(availability, reason, errno);
    }
}
