using System;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>Points TMPDIR, which every home is made in, at a test's own folder until disposed.</summary>
internal sealed class TempFolderScope : IDisposable
{
    private readonly string? _saved = Environment.GetEnvironmentVariable("TMPDIR");

    public TempFolderScope(string folder)
    {
        Folder = folder;
        Environment.SetEnvironmentVariable("TMPDIR", folder);
    }

    public string Folder { get; }

    public void Dispose() => Environment.SetEnvironmentVariable("TMPDIR", _saved);
}

/// <summary>Tests that move TMPDIR for the whole process run alone, after the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TempFolderCollection
{
    public const string Name = "Moves TMPDIR";
}
