using System;
using LandlockPS.Core.Sandbox;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// Points TMPDIR at a test's own folder until disposed, with no XDG_RUNTIME_DIR: every home is then
/// made in that folder's landlockps-&lt;uid&gt;.
/// </summary>
internal sealed class TempFolderScope : IDisposable
{
    private readonly string? _saved = Environment.GetEnvironmentVariable("TMPDIR");
    private readonly string? _savedRuntime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");

    public TempFolderScope(string folder)
    {
        Folder = folder;
        Environment.SetEnvironmentVariable("TMPDIR", folder);
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", null);
    }

    public string Folder { get; }

    /// <summary>Where homes are made in this scope.</summary>
    public string Homes => HomeRoot.Path;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("TMPDIR", _saved);
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", _savedRuntime);
    }
}

/// <summary>Tests that move TMPDIR for the whole process run alone, after the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TempFolderCollection
{
    public const string Name = "Moves TMPDIR";
}
