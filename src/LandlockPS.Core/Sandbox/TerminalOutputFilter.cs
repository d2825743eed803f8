using System;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// Drops the operating-system commands (OSC) by which a program on its private terminal would act
/// on the caller's machine beyond the screen it draws: OSC 52 sets or reads the caller's clipboard
/// (whatever the caller pastes next, into an unconfined shell), OSC 50 changes or queries the font,
/// OSC 1337 and 5113 transfer files in iTerm2 and kitty, OSC 5522 is kitty's newer clipboard. Everything else passes unchanged: an
/// editor needs its control sequences. Sequences may be cut anywhere between chunks. Used on a
/// private terminal's output and on a program's standard output read as text, which the caller's
/// console shows as it is.
/// </summary>
public sealed class TerminalOutputFilter
{
    /// <summary>The most bytes held back from one chunk to the next: an OSC's introducer and number.</summary>
    public const int MaxHeldBytes = 8;

    private const byte Escape = 0x1b;
    private const byte Bell = 0x07;
    private const byte Cancel = 0x18;
    private const byte Substitute = 0x1a;
    private const byte C1Lead = 0xc2;
    private const byte C1Osc = 0x9d;
    private const byte C1StringTerminator = 0x9c;

    private enum State { Text, Escaped, C1, OscNumber, Dropping, DroppingEscaped }

    private readonly byte[] _held = new byte[MaxHeldBytes];
    private int _heldCount;
    private State _state;
    private int _number;

    private static bool IsDropped(int number) => number is 50 or 52 or 1337 or 5113 or 5522;

    /// <summary><paramref name="text"/> without the commands this filter drops; the same instance when it holds none.</summary>
    public static string Clean(string text)
    {
        if (text.AsSpan().IndexOfAny('\u001b', '\u009d') < 0) return text;
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        byte[] output = new byte[bytes.Length + MaxHeldBytes];
        var filter = new TerminalOutputFilter();
        // What the end of the text left held (ESC, ESC ] 5) goes: the next text shown after a line end
        // could finish it, since terminals skip line ends there.
        int count = filter.Filter(bytes, output);
        string cleaned = System.Text.Encoding.UTF8.GetString(output, 0, count);
        return cleaned == text ? text : cleaned;
    }

    /// <summary>
    /// Filters <paramref name="input"/> into <paramref name="output"/>, which must hold
    /// <see cref="MaxHeldBytes"/> more bytes than the input; returns how many were written.
    /// </summary>
    public int Filter(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length + MaxHeldBytes) throw new ArgumentException("The output must hold MaxHeldBytes more than the input.", nameof(output));
        // Most output holds no escape at all: copied as it is, without a look at each byte.
        if (_state == State.Text && input.IndexOfAny(Escape, C1Lead) < 0)
        {
            input.CopyTo(output);
            return input.Length;
        }
        int written = 0;
        foreach (byte b in input) written += Take(b, output[written..]);
        return written;
    }

    private int Take(byte b, Span<byte> output)
    {
        switch (_state)
        {
            case State.Text:
                if (b == Escape) return Hold(b, State.Escaped);
                if (b == C1Lead) return Hold(b, State.C1);
                output[0] = b;
                return 1;
            case State.Escaped when b == (byte)']':
            case State.C1 when b == C1Osc:
                _number = 0;
                return Hold(b, State.OscNumber);
            // Terminals skip C0 controls and DEL between ESC and what follows it (tmux, VT500 parsers):
            // held, so ESC ^A ] 52 is judged as ESC ] 52 is.
            case State.Escaped when IsSkipped(b):
                return Hold(b, State.Escaped);
            // Terminals read the number whatever its length (0000000052 is 52): one too long to
            // hold is no command anybody needs, and is dropped rather than passed unjudged (Hold).
            case State.OscNumber when b is >= (byte)'0' and <= (byte)'9':
                _number = _number * 10 + (b - '0');
                return Hold(b, State.OscNumber);
            // Terminals skip controls inside a command too (tmux reads ESC ] 5 ^A 2 ; as 52, kitty
            // drops DEL there): held like a digit, never a way past the judgement.
            case State.OscNumber when IsSkipped(b) && b != Bell:
                return Hold(b, State.OscNumber);
            // Whatever ends the number of a dropped command (';', or 'c' in "52c;", which tmux and
            // kitty read as 52 all the same) drops the rest; a terminator right there ends it.
            case State.OscNumber when IsDropped(_number):
                _heldCount = 0;
                _state = State.Dropping;
                return Take(b, output);
            case State.Dropping:
                _state = b switch
                {
                    Bell or Cancel or Substitute or C1StringTerminator => State.Text,
                    Escape => State.DroppingEscaped,
                    _ => State.Dropping,
                };
                return 0;
            case State.DroppingEscaped:
                _state = State.Text;
                // ESC \ ends the command; an ESC before anything else ends it too, and starts a new sequence.
                if (b == (byte)'\\') return 0;
                Hold(Escape, State.Escaped);
                return Take(b, output);
            default:
                // Not a dropped command: what was held, then this byte, as they came.
                int flushed = Flush(output);
                return flushed + Take(b, output[flushed..]);
        }
    }

    // C0 controls a terminal passes over within a sequence, and DEL; not those that end or restart one.
    private static bool IsSkipped(byte b) => (b < 0x20 && b is not (Cancel or Substitute or Escape)) || b == 0x7f;

    // With no room left, the whole sequence is dropped: never passed unjudged, never past the buffer.
    private int Hold(byte b, State next)
    {
        if (_heldCount >= MaxHeldBytes - 1)
        {
            _heldCount = 0;
            _state = State.Dropping;
            return 0;
        }
        _held[_heldCount++] = b;
        _state = next;
        return 0;
    }

    private int Flush(Span<byte> output)
    {
        int count = _heldCount;
        _held.AsSpan(0, count).CopyTo(output);
        _heldCount = 0;
        _state = State.Text;
        return count;
    }
}
