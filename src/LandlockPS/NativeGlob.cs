using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace LandlockPS;

/// <summary>
/// What <c>&amp;</c> makes of a word not typed in quotes on Unix: a wildcard pattern becomes the
/// file-system paths it matches (relative ones stay relative; none matching leaves the pattern),
/// and ~ or ~/... the home folder. As PowerShell's own native binder does it.
/// </summary>
internal static class NativeGlob
{
    internal static IEnumerable<string> Expand(SessionState state, string word)
    {
        if (WildcardPattern.ContainsWildcardCharacters(word)) return Matches(state, word) ?? [word];
        // The provider's home is asked for only for a word that starts with it.
        if (word != "~" && !word.StartsWith("~/", StringComparison.Ordinal)) return [word];
        return state.Provider.GetOne("FileSystem").Home is { } home ? [string.Concat(home, word.AsSpan(1))] : [word];
    }

    private static IEnumerable<string>? Matches(SessionState state, string pattern)
    {
        PathInfo here = state.Path.CurrentLocation;
        if (here.Provider.Name != "FileSystem") return null;
        Collection<PSObject> found;
        try
        {
            found = state.InvokeProvider.ChildItem.Get(pattern, false);
        }
        catch (Exception e) when (e is RuntimeException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // as &: the pattern goes to the program as it was typed
        }
        if (found.Count == 0 || !found.All(item => item.BaseObject is FileSystemInfo)) return null;
        bool relative = pattern[0] is not ('~' or '/');
        return found.Select(item => ((FileSystemInfo)item.BaseObject).FullName)
            .Select(path => relative ? state.Path.NormalizeRelativePath(path, here.ProviderPath) : path)
            .ToArray();
    }
}
