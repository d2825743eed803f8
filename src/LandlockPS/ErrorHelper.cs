using System.Management.Automation;
using LandlockPS.Core;
using LandlockPS.Core.Native;

namespace LandlockPS;

/// <summary>Turns module exceptions into ErrorRecords with stable ids and the matching category.</summary>
internal static class ErrorHelper
{
    internal static ErrorRecord FromException(LandlockException exception, object? target) =>
        new(exception, exception.ErrorId, Category(exception), target);

    internal static ErrorRecord Create(string errorId, ErrorCategory category, string message, object? target) =>
        new(new LandlockException(message, errorId: errorId), errorId, category, target);

    internal static ErrorCategory Category(LandlockException exception) => exception.ErrorId switch
    {
        "PathNotFound" or "ExecutableNotFound" or "WorkingDirectoryNotFound" or "PolicyFileNotFound" => ErrorCategory.ObjectNotFound,
        "PolicyFileUnreadable" => ErrorCategory.PermissionDenied,
        "PolicySyntaxError" => ErrorCategory.ParserError,
        "PolicyFileTooLarge" or "PolicyTooLarge" => ErrorCategory.LimitsExceeded,
        "PolicyFileNotRegular" => ErrorCategory.InvalidArgument,
        _ when exception.ErrorId.StartsWith("Policy", System.StringComparison.Ordinal) => ErrorCategory.InvalidData,
        "ExecutableNotAllowed" or "CapabilityDropFailed" => ErrorCategory.PermissionDenied,
        "RulesetNotEnforced" or "ScratchHomeFailed" or "ContainmentFailed" => ErrorCategory.SecurityError,
        "ArgumentListTooLong" or "ReceivedObjectTooLarge" or "ReceivedDataTooLarge" => ErrorCategory.LimitsExceeded,
        "SandboxProtocolViolation" => ErrorCategory.ProtocolError,
        "DependencyResolutionFailed" => ErrorCategory.InvalidData,
        "LandlockNotSupported" or "LandlockNotEnabled" or "CompatibilityRequirementNotMet" => ErrorCategory.NotImplemented,
        "AccessNotHandled" or "AccessNotInAbi" or "AccessNotApplicable" or "InvalidPort" or "EmptyRuleset" or "InvalidLogFlags"
            => ErrorCategory.InvalidArgument,
        _ => FromErrno(exception.Errno),
    };

    private static ErrorCategory FromErrno(int errno) => errno switch
    {
        Errno.EACCES or Errno.EPERM => ErrorCategory.PermissionDenied,
        Errno.EINVAL or Errno.EBADF or Errno.EBADFD or Errno.ENOMSG => ErrorCategory.InvalidArgument,
        Errno.E2BIG => ErrorCategory.LimitsExceeded,
        Errno.ENOSYS or Errno.EOPNOTSUPP or Errno.EAFNOSUPPORT => ErrorCategory.NotImplemented,
        Errno.ENOENT or Errno.ENOTDIR => ErrorCategory.ObjectNotFound,
        Errno.ENOMEM => ErrorCategory.ResourceUnavailable,
        _ => ErrorCategory.NotSpecified,
    };
}
