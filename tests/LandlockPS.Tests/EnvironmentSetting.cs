using System;

namespace LandlockPS.Tests;

/// <summary>Sets an environment variable of the test host for a while, then restores it. Only in serial tests.</summary>
internal sealed class EnvironmentSetting : IDisposable
{
    private readonly string _name;
    private readonly string? _before;

    public EnvironmentSetting(string name, string value)
    {
        _name = name;
        _before = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(_name, _before);
}
