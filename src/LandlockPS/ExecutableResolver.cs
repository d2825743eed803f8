using System.Management.Automation;

namespace LandlockPS;

/// <summary>Finds the program to run the way pwsh does for a native command.</summary>
internal static class ExecutableResolver
{
    /// <summary>
    /// A name with a slash is a path, relative to the PowerShell location; a bare name is looked up
    /// on PATH as an application. Returns null when nothing is found (nothing at all at a path: a
    /// directory or a file that cannot run is the launch's to explain).
    /// </summary>
    internal static string? Resolve(PSCmdlet cmdlet, string filePath)
    {
        if (filePath.Contains('/') || filePath.Contains('\0'))
        {
            try
            {
                string path = PathResolver.Resolve(cmdlet, filePath, literal: true)[0];
                return System.IO.Path.Exists(path) ? path : null;
            }
            catch (PathInputException)
            {
                return null; // another provider's path, or one with a NUL: it names no program
            }
        }
        return cmdlet.InvokeCommand.GetCommand(filePath, CommandTypes.Application) is ApplicationInfo app ? app.Path : null;
    }
}
