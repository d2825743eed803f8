namespace LandlockPS.Core.Policy;

/// <summary>The two spellings of a landlockconfig policy.</summary>
public enum PolicyFormat
{
    /// <summary>JSON with camelCase keys (pathBeneath, handledAccessFs).</summary>
    Json,
    /// <summary>TOML with snake_case keys (path_beneath, handled_access_fs).</summary>
    Toml,
}
