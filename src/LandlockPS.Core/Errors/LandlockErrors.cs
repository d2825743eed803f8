using System.Collections.Generic;
using System.Collections.Frozen;
using System.Linq;
using LandlockPS.Core.Native;
using static LandlockPS.Core.Errors.LandlockErrorCategory;

namespace LandlockPS.Core.Errors;

/// <summary>
/// Every error id LandlockPS raises, with its category and meaning: the one place that decides an
/// id's category. docs/en-US/about_LandlockPS.md lists the same table (a test holds them together).
/// </summary>
public static class LandlockErrors
{
    private static readonly LandlockErrorInfo[] Table =
    [
        Entry("AccessNotApplicable", InvalidArgument, "A rule grants no right, or a right that does not apply to its target."),
        Entry("AccessNotHandled", InvalidArgument, "A rule grants (or a ruleset quiets) a right the ruleset does not handle."),
        Entry("AccessNotInAbi", InvalidArgument, "A right, scope, flag or setting is not part of the ruleset's ABI."),
        Entry("ArgumentListTooLong", LimitsExceeded, "The program's arguments and environment are too long for the kernel (E2BIG)."),
        Entry("BasePathNotFound", ObjectNotFound, "The folder a policy's relative paths were to be resolved against does not exist."),
        Entry("CapabilityDropFailed", PermissionDenied, "The child's capabilities could not be dropped."),
        Entry("CompatibilityRequirementNotMet", NotImplemented, "A HardRequirement ruleset asks for more than the kernel enforces."),
        Entry("ContainmentFailed", SecurityError, "The child could not be placed in its run's cgroup; nothing ran."),
        Entry("DependencyResolutionFailed", InvalidData, "The files a program needs to start (its interpreters and libraries) could not be worked out."),
        Entry("EmptyRuleset", InvalidArgument, "The ruleset handles nothing, so it would restrict nothing."),
        Entry("ExecutableNotAllowed", PermissionDenied, "The ruleset (or a noexec mount) does not let the program or its interpreter run."),
        Entry("ExecutableNotFound", ObjectNotFound, "No program by that name or path."),
        Entry("FolderActionFailed", NotSpecified, "A system call on a folder the module manages failed.", byErrno: true),
        Entry("InvalidEnvironment", InvalidArgument, "The child's environment holds a name or value no environment can carry."),
        Entry("InvalidLaunchArgument", InvalidArgument, "A launch request holds a value no process can be started with."),
        Entry("InvalidLogFlags", InvalidArgument, "A log flag the module never passes (Tsync)."),
        Entry("InvalidPort", InvalidArgument, "A port outside 0 to 65535."),
        Entry("InvalidProgramUse", InvalidArgument, "An option for script blocks and .ps1 scripts was given with a program."),
        Entry("InvalidScriptUse", InvalidArgument, "An option for programs was given with a .ps1 script, which runs in a child pwsh."),
        Entry("InvalidTerminalUse", InvalidArgument, "A private terminal was asked for together with what it cannot do (captured output, fed input)."),
        Entry("InvalidTimeout", InvalidArgument, "A timeout out of range."),
        Entry("LandlockError", NotSpecified, "A failure with no more specific id.", byErrno: true),
        Entry("LandlockNotEnabled", NotImplemented, "The kernel has Landlock but it is disabled at boot (lsm=)."),
        Entry("LandlockNotSupported", NotImplemented, "The kernel has no Landlock."),
        Entry("LaunchFailed", NotSpecified, "Starting the confined child failed; nothing ran.", byErrno: true),
        Entry("NativeCommandExitCode", NotSpecified, "The program exited non-zero, where the caller asked for that to be an error."),
        Entry("NativeStandardError", NotSpecified, "A line the program wrote to standard error, where the caller asked for those as errors."),
        Entry("NestedTraceNotSupported", ResourceUnavailable, "A traced run was started inside a run that is itself traced: the kernel allows one seccomp listener per process tree."),
        Entry("PathInvalid", InvalidArgument, "A path that cannot name a file (an empty one, a NUL)."),
        Entry("PathNotAccessible", PermissionDenied, "A path exists but cannot be reached: permission, a link loop, a name too long."),
        Entry("PathNotFileSystem", InvalidArgument, "A path on a provider other than the file system."),
        Entry("PathNotFound", ObjectNotFound, "A rule's or a query's path does not exist."),
        Entry("PolicyEmpty", InvalidData, "A policy file holds no entry."),
        Entry("PolicyFileExists", ResourceExists, "An export would replace an existing file it was not told to replace."),
        Entry("PolicyFileNotFound", ObjectNotFound, "A policy file does not exist."),
        Entry("PolicyFileNotRegular", InvalidArgument, "A policy path is a FIFO, a device or a folder where a file was expected."),
        Entry("PolicyFileNotWritten", WriteError, "An export could not be written.", byErrno: true),
        Entry("PolicyFileReused", InvalidOperation, "One export call named the same file twice."),
        Entry("PolicyFileTooLarge", LimitsExceeded, "A policy file is larger than the import reads."),
        Entry("PolicyFileUnreadable", PermissionDenied, "A policy file cannot be read."),
        Entry("PolicyInputUnused", InvalidArgument, "Piped text was given but no '-' path reads it."),
        Entry("PolicyInvalid", InvalidData, "A policy entry has the wrong shape (a missing key, a wrong type)."),
        Entry("PolicyInvalidGroup", InvalidData, "A policy names an access group its abi does not have."),
        Entry("PolicyInvalidPath", InvalidData, "A policy path is empty or holds a NUL."),
        Entry("PolicyInvalidPort", InvalidData, "A policy port is out of range."),
        Entry("PolicyInvalidVariable", InvalidData, "A policy variable's name or value is not valid."),
        Entry("PolicyNoInput", InvalidArgument, "'-' was given but nothing was piped."),
        Entry("PolicySyntaxError", ParserError, "A policy file is not valid JSON or TOML."),
        Entry("PolicyTooLarge", LimitsExceeded, "A policy expands to more paths than the import allows."),
        Entry("PolicyUndefinedVariable", InvalidData, "A policy path uses a variable no file defines."),
        Entry("PolicyUnknownAccess", InvalidData, "A policy names an access right the module does not know."),
        Entry("PolicyUnknownKey", InvalidData, "A policy entry has a key the format does not define."),
        Entry("ReceivedDataTooLarge", LimitsExceeded, "A sandbox sent more data for one command than the caller's limit, or wrote more than 4 MB while no command ran."),
        Entry("ReceivedObjectTooLarge", LimitsExceeded, "A sandbox sent an object larger than the caller's limit."),
        Entry("ResourceExhausted", ResourceUnavailable, "The kernel ran out of memory or descriptors for the launch."),
        Entry("RestrictFailed", NotSpecified, "The kernel refused the ruleset or the seccomp filter on the launch thread; nothing ran.", byErrno: true),
        Entry("RuleRejected", NotSpecified, "The kernel refused one rule of the ruleset.", byErrno: true),
        Entry("RulesetNotEnforced", SecurityError, "The kernel would enforce nothing of the ruleset; the launch is refused unless the caller allows running unconfined."),
        Entry("RulesetRejected", NotSpecified, "The kernel refused to create the ruleset.", byErrno: true),
        Entry("SandboxHostAccessDenied", PermissionDenied, "A sandbox asked for more of the caller's host (a prompt, a key) than its host access allows."),
        Entry("SandboxNotResponding", OperationTimeout, "A sandbox did not answer a command, stop or close in time; its session is broken."),
        Entry("SandboxPromptUnsafe", InvalidData, "A sandbox's prompt carries control characters."),
        Entry("SandboxProtocolViolation", ProtocolError, "A sandbox broke the remoting protocol; its session is ended."),
        Entry("SandboxedPwshUnusable", NotSpecified, "The confined pwsh started but cannot run commands."),
        Entry("ScratchHomeFailed", SecurityError, "The child's private scratch home could not be made safely."),
        Entry("SessionNotSandboxed", InvalidArgument, "A session whose denials were asked for is not a sandboxed session of this module."),
        Entry("SessionNotTraced", InvalidOperation, "The session was started without tracing, so it has no denials to read."),
        Entry("ShortenedParameterAfterProgram", InvalidArgument, "A shortened option name after the program, which could be the program's own argument; end the options with -- or spell it out."),
        Entry("TerminalRelayFailed", NotSpecified, "Relaying the caller's terminal to a run's private terminal failed; the run was ended."),
        Entry("TerminalUnavailable", NotSpecified, "No private terminal could be made for the run.", byErrno: true),
        Entry("TimeoutExceeded", OperationTimeout, "The run outlived its timeout and was ended."),
        Entry("TraceNotSupported", NotImplemented, "A run cannot be traced here (no seccomp user notifications, no table of system calls for this architecture, or a /proc that shows another PID namespace)."),
        Entry("WorkingDirectoryNotFound", ObjectNotFound, "The working directory does not exist."),
    ];

    private static readonly FrozenDictionary<string, LandlockErrorInfo> ById = Table.ToFrozenDictionary(e => e.Id);

    /// <summary>Every id, in name order.</summary>
    public static IReadOnlyList<LandlockErrorInfo> All => Table;

    /// <summary>The entry of an id, or null for an id the module does not raise.</summary>
    public static LandlockErrorInfo? Find(string id) => ById.GetValueOrDefault(id);

    /// <summary>
    /// The category of <paramref name="id"/>, refined by <paramref name="errno"/> where the entry lets the
    /// errno decide. An id missing from the catalogue (a bug a test catches) is NotSpecified, or what its errno says.
    /// </summary>
    public static LandlockErrorCategory CategoryOf(string id, int errno = 0) => Find(id) switch
    {
        { ByErrno: false } entry => entry.Category,
        { } entry => FromErrno(errno) ?? entry.Category,
        null => FromErrno(errno) ?? NotSpecified,
    };

    /// <summary>The category an errno names, or null for one with no better category than the id's.</summary>
    public static LandlockErrorCategory? FromErrno(int errno) => errno switch
    {
        Errno.EACCES or Errno.EPERM => PermissionDenied,
        Errno.EINVAL or Errno.EBADF or Errno.EBADFD or Errno.ENOMSG => InvalidArgument,
        Errno.E2BIG => LimitsExceeded,
        Errno.ENOSYS or Errno.EOPNOTSUPP or Errno.EAFNOSUPPORT => NotImplemented,
        Errno.ENOENT or Errno.ENOTDIR => ObjectNotFound,
        Errno.ENOMEM => ResourceUnavailable,
        _ => null,
    };

    private static LandlockErrorInfo Entry(string id, LandlockErrorCategory category, string meaning, bool byErrno = false) =>
        new(id, category, byErrno, meaning);
}
