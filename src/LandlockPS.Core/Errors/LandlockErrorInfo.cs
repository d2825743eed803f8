namespace LandlockPS.Core.Errors;

/// <summary>One stable error id: its category and what it means, in a line.</summary>
/// <param name="Id">The id (PowerShell's FullyQualifiedErrorId starts with it).</param>
/// <param name="Category">The category; see <paramref name="ByErrno"/>.</param>
/// <param name="ByErrno">True when the errno of the failed system call decides the category where it names a known one (EACCES: PermissionDenied), <paramref name="Category"/> otherwise.</param>
/// <param name="Meaning">What happened, in one line.</param>
public sealed record LandlockErrorInfo(string Id, LandlockErrorCategory Category, bool ByErrno, string Meaning);
