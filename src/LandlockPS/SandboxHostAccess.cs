using System;

namespace LandlockPS;

/// <summary>What a sandboxed pwsh may do with the caller's host beyond showing text.</summary>
[Flags]
public enum SandboxHostAccess
{
    /// <summary>Text only, with control sequences other than colours neutralised. Prompts, Read-Host and ReadKey fail; the console cannot be changed.</summary>
    None = 0,

    /// <summary>Read from the caller's terminal: Read-Host, credential and choice prompts, each marked as coming from the sandbox.</summary>
    Prompt = 1,

    /// <summary>Use the caller's console through RawUI: read keys (ReadKey, KeyAvailable) and the screen; change the window title, colours, cursor, buffer. Unmarked: a key read has no line to mark.</summary>
    RawUI = 2,

    /// <summary>Both.</summary>
    All = Prompt | RawUI,
}
