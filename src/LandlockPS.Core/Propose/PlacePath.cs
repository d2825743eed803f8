using System;
using System.Collections.Generic;

namespace LandlockPS.Core.Propose;

/// <summary>
/// Absolute paths as plain text, the way a trace names them: no file system is asked, so a proposal
/// reasons the same about paths that are gone by the time it is made.
/// </summary>
internal static class PlacePath
{
    /// <summary><paramref name="path"/> without a trailing slash ("/" stays "/").</summary>
    internal static string Normalize(string path)
    {
        string trimmed = path.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies beneath it.</summary>
    internal static bool IsWithin(string path, string root) =>
        path == root || root == "/" || (path.Length > root.Length && path[root.Length] == '/' && path.StartsWith(root, StringComparison.Ordinal));

    /// <summary>The folder holding <paramref name="path"/>; "/" for "/" itself.</summary>
    internal static string Parent(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    /// <summary>The names along <paramref name="path"/>, from the top.</summary>
    internal static IEnumerable<string> Names(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>How many names deep <paramref name="path"/> is ("/" is 0).</summary>
    internal static int Depth(string path) => path == "/" ? 0 : path.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary><paramref name="path"/> and every folder above it, from the top ("/" first).</summary>
    internal static IEnumerable<string> SelfAndAncestorsFromTop(string path)
    {
        yield return "/";
        for (int i = 1; i < path.Length; i++)
        {
            if (path[i] == '/') yield return path[..i];
        }
        if (path != "/") yield return path;
    }

    /// <summary>The deepest folder both paths lie within.</summary>
    internal static string CommonAncestor(string a, string b)
    {
        while (!IsWithin(b, a)) a = Parent(a);
        return a;
    }
}
