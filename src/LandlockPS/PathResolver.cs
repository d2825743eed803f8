using System.Collections.Generic;
using System.Management.Automation;
using System.Text.RegularExpressions;
using Microsoft.PowerShell.Commands;

namespace LandlockPS;

/// <summary>Resolves -Path / -LiteralPath the PowerShell way: against the current location, FileSystem provider only.</summary>
internal static class PathResolver
{
    /// <summary>
    /// Resolves one user path to absolute file-system paths. Wildcards expand unless <paramref name="literal"/>.
    /// A literal path comes back whether or not it exists; a wildcard that matches nothing gives nothing.
    /// A non-FileSystem path is an error.
    /// </summary>
    internal static IReadOnlyList<string> Resolve(PSCmdlet cmdlet, string path, bool literal)
    {
        if (path.Contains('\0'))
        {
            // The kernel would read the path only up to the NUL: a different file than the one shown.
            throw new PathInputException("PathInvalid", "A path cannot contain a NUL character. Remove it (`0 in a PowerShell string).");
        }
        PathIntrinsics paths = cmdlet.SessionState.Path;
        if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
        {
            // A -Path with no live wildcard may still escape one ("`[odd`].txt"): it names "[odd].txt".
            string text = literal ? path : WildcardPattern.Unescape(path);
            if (TryAbsoluteFileSystemPath(cmdlet, text) is { } absolute) return [absolute];
            string full = paths.GetUnresolvedProviderPathFromPSPath(text, out ProviderInfo provider, out _);
            RequireFileSystem(provider, text);
            return [full];
        }

        try
        {
            var resolved = new List<string>();
            foreach (string full in paths.GetResolvedProviderPathFromPSPath(path, out ProviderInfo provider))
            {
                RequireFileSystem(provider, path);
                resolved.Add(full);
            }
            return resolved;
        }
        catch (ItemNotFoundException)
        {
            return [];
        }
    }

    /// <summary>
    /// Like <see cref="Resolve"/>, but leaves ".." to the kernel's lookup, for judging what a process given
    /// the path would reach: PowerShell collapses "a/link/.." to "a" in the text, while the kernel follows
    /// link first and goes to its target's parent. Only the part before the first ".." is resolved here
    /// (current location, drives, "~", a provider prefix); the rest is appended as written, either slash
    /// a separator as PowerShell has it. Wildcards expand the PowerShell way.
    /// </summary>
    internal static IReadOnlyList<string> ResolveForLookup(PSCmdlet cmdlet, string path, bool literal)
    {
        if (!literal && WildcardPattern.ContainsWildcardCharacters(path)) return Resolve(cmdlet, path, literal);
        // The first ".." name; PowerShell takes either slash as a separator on Linux too.
        Match up = Regex.Match(path, @"(?<=^|[/\\])\.\.(?=$|[/\\])");
        if (!up.Success) return Resolve(cmdlet, path, literal);
        string head = path[..up.Index];
        string start = Resolve(cmdlet, head.Length > 0 ? head : ".", literal)[0];
        string rest = path[up.Index..].Replace('\\', '/');
        return [System.IO.Path.Join(start, literal ? rest : WildcardPattern.Unescape(rest))];
    }

    /// <summary>
    /// Runs <paramref name="resolve"/> for one user input; a path that cannot name a file
    /// (<see cref="PathInputException"/>) becomes a non-terminating error about that input, and null.
    /// </summary>
    internal static IReadOnlyList<string>? ReportingBadInput(PSCmdlet cmdlet, string input, System.Func<IReadOnlyList<string>> resolve)
    {
        try
        {
            return resolve();
        }
        catch (PathInputException e)
        {
            cmdlet.WriteError(ErrorHelper.Wrap(e, e.ErrorId, input));
            return null;
        }
    }

    /// <summary>
    /// One literal path resolved to an existing directory; otherwise a terminating error with
    /// <paramref name="errorId"/> and <paramref name="message"/> (or PathNotFileSystem / PathInvalid).
    /// </summary>
    internal static string RequireDirectory(PSCmdlet cmdlet, string path, string errorId, string message)
    {
        string resolved;
        try
        {
            resolved = Resolve(cmdlet, path, literal: true)[0];
        }
        catch (PathInputException e)
        {
            cmdlet.ThrowTerminatingError(ErrorHelper.Wrap(e, e.ErrorId, path));
            throw; // not reached: ThrowTerminatingError always throws
        }
        if (!System.IO.Directory.Exists(resolved))
        {
            cmdlet.ThrowTerminatingError(ErrorHelper.Create(errorId, message, path));
        }
        return resolved;
    }

    /// <summary>
    /// An absolute path while the location is on the FileSystem provider needs no provider resolution,
    /// which costs a read of /proc/self/mountinfo per call. Null when PowerShell must resolve it.
    /// </summary>
    internal static string? TryAbsoluteFileSystemPath(PSCmdlet cmdlet, string path) =>
        path.StartsWith('/') && cmdlet.SessionState.Path.CurrentLocation.Provider.ImplementingType == typeof(FileSystemProvider)
            ? System.IO.Path.GetFullPath(path)
            : null;

    /// <summary>
    /// The current FileSystem location as a file-system path. On the root drive the PowerShell path
    /// already is one; ProviderPath would validate the drive, reading /proc/self/mountinfo each time.
    /// </summary>
    internal static string CurrentDirectory(PSCmdlet cmdlet)
    {
        PathInfo location = cmdlet.SessionState.Path.CurrentFileSystemLocation;
        return location.Drive?.Root == "/" && location.Path.StartsWith('/') ? location.Path : location.ProviderPath;
    }

    private static void RequireFileSystem(ProviderInfo provider, string path)
    {
        if (provider.ImplementingType != typeof(FileSystemProvider))
        {
            throw new PathInputException("PathNotFileSystem",
                $"'{path}' is a {provider.Name} path. Landlock rules need file-system paths: use a FileSystem drive path such as /usr or ./data.");
        }
    }
}

/// <summary>A path names an item of a provider other than FileSystem.</summary>
/// <summary>A path the user gave cannot name a file: PathNotFileSystem (another provider's path) or PathInvalid.</summary>
internal sealed class PathInputException(string errorId, string message) : System.ArgumentException(message)
{
    public string ErrorId { get; } = errorId;
}
