using System.Runtime.InteropServices;

namespace LandlockPS.Core.Native;

/// <summary>libc calls for pseudo-terminals and terminal modes (Linux, x86_64 and arm64 values).</summary>
internal static unsafe partial class TerminalApi
{
    private const string Lib = "libc";

    internal const int O_RDWR = 2;
    internal const nuint TIOCGWINSZ = 0x5413;
    internal const nuint TIOCSWINSZ = 0x5414;
    internal const nuint TIOCGPTN = 0x80045430;
    internal const nuint TIOCSPTLCK = 0x40045431;
    internal const nuint TIOCGPTPEER = 0x5441;
    internal const int TCSANOW = 0;
    internal const int TCSADRAIN = 1;

    /// <summary>glibc's struct termios is 60 bytes; its c_cc array starts at byte 17, VINTR first.</summary>
    internal const int TermiosBytes = 64;
    internal const int InterruptCharOffset = 17;

    [StructLayout(LayoutKind.Sequential)]
    internal struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport(Lib, EntryPoint = "posix_openpt", SetLastError = true)]
    internal static partial int PosixOpenPt(int flags);

    // ioctl(2) is variadic; on x86_64 and arm64 Linux a pointer travels as a fixed argument would.
    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, nuint request, nint argument);

    [LibraryImport(Lib, EntryPoint = "isatty")]
    internal static partial int IsATty(int fd);

    [LibraryImport(Lib, EntryPoint = "tcgetattr", SetLastError = true)]
    internal static partial int TcGetAttr(int fd, byte* termios);

    [LibraryImport(Lib, EntryPoint = "tcsetattr", SetLastError = true)]
    internal static partial int TcSetAttr(int fd, int when, byte* termios);

    [LibraryImport(Lib, EntryPoint = "cfmakeraw")]
    internal static partial void CfMakeRaw(byte* termios);
}
