using System;
using System.IO;
using System.Linq;
using System.Text;
using ELFSharp.ELF;
using ELFSharp.ELF.Segments;

namespace LandlockPS.Core.Sandbox;

/// <summary>Finds what else the kernel must open to execute a file: its ELF interpreter or its #! interpreter.</summary>
public static class ExecutableInspector
{
    /// <summary>The interpreter of <paramref name="path"/>, or null for a static binary or an unreadable file.</summary>
    public static string? FindInterpreter(string path)
    {
        try
        {
            using (var stream = File.OpenRead(path))
            {
                Span<byte> head = stackalloc byte[2];
                if (stream.Read(head) == 2 && head[0] == '#' && head[1] == '!')
                {
                    return ShebangInterpreter(stream);
                }
            }
            if (!ELFReader.TryLoad(path, out IELF elf)) return null;
            using (elf)
            {
                ISegment? interp = elf.Segments.FirstOrDefault(s => s.Type == SegmentType.Interpreter);
                return interp is null ? null : Encoding.UTF8.GetString(interp.GetFileContents()).TrimEnd('\0');
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string? ShebangInterpreter(Stream stream)
    {
        var line = new StringBuilder();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n' && line.Length < 256) line.Append((char)b);
        string text = line.ToString().Trim();
        int space = text.IndexOfAny([' ', '\t']);
        string interpreter = space < 0 ? text : text[..space];
        return interpreter.Length == 0 ? null : interpreter;
    }
}
