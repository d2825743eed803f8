using System.Management.Automation;
using Microsoft.PowerShell.Commands;

namespace LandlockPS;

/// <summary>Finds the program to run the way pwsh does for a native command.</summary>
internal static class ExecutableResolver
{
    /// <summary>
    /// A name with a slash is a path, relative to the PowerShell location; a bare name is looked up
    /// on PATH as an application. Returns null when nothing is found.
    /// </summary>
    internal static string? Resolve(PSCmdlet cmdlet, string filePath)
    {
        if (filePath.Contains('\0')) return null; // names no file: the kernel would read a shorter name
        if (filePath.Contains('/'))
        {
            if (PathResolver.TryAbsoluteFileSystemPath(cmdlet, filePath) is { } absolute) return absolute;
            string full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(filePath, out ProviderInfo provider, out _);
            return provider.ImplementingType == typeof(FileSystemProvider) ? full : null;
        }
        return cmdlet.InvokeCommand.GetCommand(filePath, CommandTypes.Application) is ApplicationInfo app ? app.Path : null;
    }
}
