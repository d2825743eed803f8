using LandlockPS.Core;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Native;
using Xunit;

namespace LandlockPS.Tests;

public class KernelErrorsTests
{
    [Theory]
    [InlineData(Errno.ENOSYS, "LandlockNotSupported", "CONFIG_SECURITY_LANDLOCK")]
    [InlineData(Errno.EOPNOTSUPP, "LandlockNotEnabled", "lsm=")]
    [InlineData(Errno.EINVAL, "RulesetRejected", "EINVAL")]
    [InlineData(Errno.E2BIG, "RulesetRejected", "E2BIG")]
    [InlineData(Errno.ENOMSG, "RulesetRejected", "ENOMSG")]
    [InlineData(Errno.ENOMEM, "ResourceExhausted", "ENOMEM")]
    [InlineData(Errno.EFAULT, "RulesetRejected", "EFAULT")]
    public void CreateErrorsExplainThemselves(int errno, string errorId, string text)
    {
        LandlockException e = KernelErrors.ForCreate(errno);
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(errno, e.Errno);
        Assert.Equal("landlock_create_ruleset", e.Syscall);
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void UnavailableKernelsSayWhichKind()
    {
        var notEnabled = Assert.IsType<LandlockUnavailableException>(KernelErrors.ForCreate(Errno.EOPNOTSUPP));
        Assert.Equal(LandlockAvailability.NotEnabled, notEnabled.Availability);
        var missing = Assert.IsType<LandlockUnavailableException>(KernelErrors.ForCreate(Errno.ENOSYS));
        Assert.Equal(LandlockAvailability.NotImplemented, missing.Availability);
    }

    [Theory]
    [InlineData(Errno.ENOENT, "PathNotFound")]
    [InlineData(Errno.ENOTDIR, "PathNotFound")]
    [InlineData(Errno.EACCES, "PathNotAccessible")]
    [InlineData(Errno.ELOOP, "PathNotAccessible")]
    [InlineData(Errno.ENAMETOOLONG, "PathNotAccessible")]
    public void OpenErrorsNameThePath(int errno, string errorId)
    {
        LandlockRuleException e = KernelErrors.ForOpen("/some/where", errno);
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal("/some/where", e.Target);
        Assert.Contains("/some/where", e.Message);
        Assert.Contains(Errno.Name(errno), e.Message);
    }

    [Theory]
    [InlineData(Errno.EINVAL)]
    [InlineData(Errno.ENOMSG)]
    [InlineData(Errno.EBADF)]
    [InlineData(Errno.EBADFD)]
    [InlineData(Errno.EPERM)]
    [InlineData(Errno.EAFNOSUPPORT)]
    public void AddRuleErrorsNameTheRule(int errno)
    {
        LandlockRuleException e = KernelErrors.ForAddRule("port 80", errno);
        Assert.Equal("RuleRejected", e.ErrorId);
        Assert.Equal("landlock_add_rule", e.Syscall);
        Assert.Contains("port 80", e.Message);
        Assert.Contains(Errno.Name(errno), e.Message);
    }

    [Fact]
    public void UnknownErrnoStillHasAName() => Assert.Equal("errno 4242", Errno.Name(4242));
}
