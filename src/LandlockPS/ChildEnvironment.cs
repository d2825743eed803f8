using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace LandlockPS;

/// <summary>Builds a child's environment from this process's, or from nothing, plus the caller's changes.</summary>
internal static class ChildEnvironment
{
    /// <summary>PATH for a child started from an empty environment.</summary>
    internal const string SafePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Applies <paramref name="changes"/> (a null value removes a variable). Throws ArgumentException for a bad name or value.</summary>
    internal static Dictionary<string, string> Build(IDictionary? changes, bool clear)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (clear)
        {
            environment["PATH"] = SafePath;
        }
        else
        {
            foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                environment[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
            }
        }
        if (changes is null) return environment;

        foreach (DictionaryEntry entry in changes)
        {
            string name = LanguagePrimitives.ConvertTo<string>(entry.Key) ?? string.Empty;
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0'))
            {
                throw new ArgumentException($"'{name}' is not a valid environment variable name: it must be non-empty and contain no '=' or NUL.");
            }
            object? value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            if (value is null)
            {
                environment.Remove(name);
                continue;
            }
            string text = LanguagePrimitives.ConvertTo<string>(value);
            if (text.Contains('\0'))
            {
                throw new ArgumentException($"The value of environment variable '{name}' contains a NUL character, which no environment can hold.");
            }
            environment[name] = text;
        }
        return environment;
    }
}
