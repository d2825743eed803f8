using System;
using System.IO;
using System.Text;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Dependencies;

/// <summary>A script's #! line as the kernel reads it: the interpreter, and at most one argument (the rest of the line).</summary>
public sealed record Shebang(string Interpreter, string? Argument);

/// <summary>Finds what else the kernel must open to execute a file: its ELF interpreter or its #! interpreter.</summary>
public static class ExecutableInspector
{
    // The kernel reads no more of a #! line than this (BINPRM_BUF_SIZE).
    private const int ShebangLimit = 256;

    /// <summary>The interpreter of <paramref name="path"/>, or null for a static binary or an unreadable file.</summary>
    public static string? FindInterpreter(string path) => ReadShebang(path)?.Interpreter ?? ElfImage.TryReadInterpreter(path);

    /// <summary>The #! line of <paramref name="path"/>, or null when it has none (or cannot be read).</summary>
    public static Shebang? ReadShebang(string path)
    {
        byte[] head = new byte[ShebangLimit];
        int length;
        try
        {
            // One non-blocking open, judged on the file opened: a FIFO is refused, even one put
            // there after a look at the path, and never waits for a writer.
            using FileStream? stream = PlainFile.TryOpen(path, followLinks: true, long.MaxValue, out _, out _);
            if (stream is null) return null;
            length = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (IOException)
        {
            return null;
        }
        if (length < 2 || head[0] != '#' || head[1] != '!') return null;
        ReadOnlySpan<byte> line = head.AsSpan(2, length - 2);
        // The kernel ends the line at a newline or a NUL, whichever comes first.
        int end = line.IndexOfAny((byte)'\n', (byte)0);
        if (end >= 0) line = line[..end];

        // Only spaces and tabs separate: a carriage return stays part of the name, as it does for the kernel.
        string text = Encoding.UTF8.GetString(line).Trim(' ', '\t');
        if (text.Length == 0) return null;
        int space = text.IndexOfAny([' ', '\t']);
        if (space < 0) return new Shebang(text, null);
        string argument = text[space..].Trim(' ', '\t');
        return new Shebang(text[..space], argument);
    }
}
