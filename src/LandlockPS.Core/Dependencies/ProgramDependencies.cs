using System;
using System.Collections.Generic;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Dependencies;

/// <summary>One file a program needs to start: the path to allow, the rights it needs there, and why.</summary>
public sealed record DependencyFile(string Path, LandlockAccessFs Access, string Reason)
{
    /// <summary>
    /// Whether a sandbox could swap this name for a link: it is one, or it lies in a folder others
    /// or the ruleset may write. A rule kept by path would follow such a link at a later launch; a
    /// rule built on the file held open at launch does not.
    /// </summary>
    public bool Swappable { get; init; }
}

/// <summary>
/// Everything the kernel and the dynamic loader open to start a program: the program, its #!
/// interpreters (and the program a <c>#!/usr/bin/env</c> line runs), each ELF program's
/// interpreter, the loader's cache, and every shared library loaded at start-up, transitively.
/// Libraries a program opens later (dlopen, plugins) are not in its headers and not here; nor are
/// LD_PRELOAD and /etc/ld.so.preload (the loader reports a preload it cannot open and goes on).
/// </summary>
public sealed class ProgramDependencies
{
    /// <summary>At most this many ELF objects are read for one program; the rest is reported, not followed.</summary>
    public const int MaxObjects = 300;

    /// <summary>
    /// At most this many DT_NEEDED entries are followed for one object (real programs and
    /// libraries name a few dozen at most); a crafted file naming thousands is reported, not followed.
    /// </summary>
    public const int MaxNeeded = 256;

    /// <summary>
    /// At most this many DT_RPATH and as many DT_RUNPATH directories are searched for one object
    /// (even Nix builds, with one directory per dependency, stay far below); the rest is reported, not searched.
    /// </summary>
    public const int MaxSearchDirectories = 256;

    /// <summary>How many #! interpreters deep the kernel follows (BINPRM_MAX_RECURSION); deeper fails to start anyway.</summary>
    public const int MaxInterpreterDepth = 4;

    internal ProgramDependencies(IReadOnlyList<DependencyFile> files, IReadOnlyList<string> problems, IReadOnlyDictionary<string, string> leftOut)
    {
        Files = files;
        Problems = problems;
        LeftOut = leftOut;
    }

    /// <summary>Each file once, in the order found: a path as the program names it, then (if different) the path with its links resolved.</summary>
    public IReadOnlyList<DependencyFile> Files { get; }

    /// <summary>What could not be found or read, each a sentence; the program may fail to start without it.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// The files found needed that get no rule, by the path they were named by, each with its problem
    /// (one of <see cref="Problems"/>): a name a sandbox could have chosen leading to a private file, a
    /// file that is not a plain one, an interpreter that is not executable. Resolving again adds none of them.
    /// </summary>
    public IReadOnlyDictionary<string, string> LeftOut { get; }

    /// <summary>
    /// Resolves what <paramref name="program"/> (an absolute path) needs, as it will run with
    /// <paramref name="environment"/>: its LD_LIBRARY_PATH takes part in the search and its PATH
    /// finds the program of a <c>#!/usr/bin/env</c> line.
    /// What a file names (a #! interpreter, a library) is only trusted when the file is root's or this
    /// user's, writable by no one else, and it and every link on the way lie where only they can
    /// write, outside what <paramref name="ruleset"/> (the ruleset the program will run under, when
    /// known) lets a sandbox write. Otherwise a sandbox could have written that file, or planted a
    /// link, to have a private file allowed: an untrusted name only gets a rule on a file every user
    /// may read or the ruleset already lets the sandbox read, and a problem otherwise.
    /// </summary>
    /// <exception cref="LandlockException">DependencyResolutionFailed: a file could not be read as the walk expected; nothing is returned, so no rule is half-added.</exception>
    public static ProgramDependencies Resolve(string program, IReadOnlyDictionary<string, string> environment, LandlockRuleset? ruleset = null)
    {
        var walk = new DependencyWalk(program, environment, ruleset);
        try
        {
            return walk.Run();
        }
        // What a file the walk reads may still provoke (the walk reports what it expects as
        // problems): one stable error rather than a bare .NET exception.
        catch (Exception e) when (e is not LandlockException)
        {
            throw new LandlockException(
                $"Could not work out which files {program} needs to start: {e.Message} " +
                "Allow them with path rules instead, or run the program unconfined to see what it loads.",
                errorId: "DependencyResolutionFailed", innerException: e);
        }
    }
}
