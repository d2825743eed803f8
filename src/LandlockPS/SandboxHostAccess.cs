using System;

namespace LandlockPS;

/// <summary>What a sandboxed pwsh may do with the caller's host beyond showing text.</summary>
[Flags]
public enum SandboxHostAccess
{
    /// <summary>Text only, with control sequences other than colours neutralised. Prompts, Read-Host and ReadKey fail; the console cannot be changed.</summary>
    None = 0,

    /// <summary>Read from the caller's terminal: Read-Host, ReadKey, credential and choice prompts, each marked as coming from the sandbox.</summary>
    Prompt = 1,

    /// <summary>Change the caller's console through RawUI: window title, colours, cursor, buffer.</summary>
    RawUI = 2,

    /// <summary>Both.</summary>
    All = Prompt | RawUI,
}
