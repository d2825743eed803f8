namespace LandlockPS.Core.Landlock;

/// <summary>
/// What would allow a denied access, as data for a front end to render (the PowerShell module renders
/// it as the Add-LandlockPathRule call to paste): a rule granting <see cref="Access"/> on
/// <see cref="Path"/>; or, when <see cref="Path"/> is null, handling <see cref="Access"/> in the
/// ruleset first (Refer, which a ruleset must handle before any rule can grant it); or, for a call
/// LandlockPS's own filter denied (<see cref="Emulation"/>), granting part of that class, which leaves
/// it to the kernel.
/// </summary>
/// <param name="Access">The rights to grant (or to handle first).</param>
/// <param name="Path">The file or directory the rule would name; null when the ruleset must handle the rights first.</param>
public sealed record LandlockAccessFix(LandlockAccessFs Access, string? Path)
{
    /// <summary>For a class LandlockPS closes: the network rights it stands in for (BindUdp, ConnectSendUdp).</summary>
    public LandlockAccessNet NetAccess { get; init; }

    /// <summary>
    /// For a call of a class LandlockPS closes where the kernel's Landlock cannot: that class. The fix
    /// grants part of it (a rule of ResolveUnix alone on a socket, a UDP port), after which LandlockPS
    /// leaves the class to the kernel, which on this kernel does not restrict it; or makes the ruleset
    /// without the rights it stands in for.
    /// </summary>
    public LandlockEmulation Emulation { get; init; }

    /// <summary>
    /// True when <see cref="Path"/> does not exist yet: the rule can be added once it does. Until then only a
    /// rule on '/' covers the access, and that would grant it on the whole file system.
    /// </summary>
    public bool PathMissing { get; init; }

    /// <summary>True when the ruleset must handle <see cref="Access"/> before a rule can grant it.</summary>
    public bool HandleFirst => Path is null && Emulation == LandlockEmulation.None;

    /// <summary>Granting part of a class LandlockPS closes (<paramref name="emulation"/>), with the rights it stands in for.</summary>
    public static LandlockAccessFix LiftEmulation(LandlockEmulation emulation, LandlockAccessFs access, LandlockAccessNet netAccess) =>
        new(access, null) { NetAccess = netAccess, Emulation = emulation };

    /// <summary>The fix in words, for messages that name no tool.</summary>
    public override string ToString() =>
        Emulation != LandlockEmulation.None ? LiftText()
        : HandleFirst ? $"handle {AccessText.FormatFlags(Access)} in the ruleset (ABI V2 or newer), then allow it on the directories a file moves between"
        : $"allow {AccessText.FormatFlags(Access)} on '{Path}'{MissingText()}";

    // A fix on a path that does not exist yet: when to add it, and why not on '/'.
    private string MissingText() => PathMissing
        ? $" once it exists (it does not yet: only a rule on '/' covers it now, and that would grant {AccessText.FormatFlags(Access)} on the whole file system)"
        : string.Empty;

    private string LiftText() => Emulation switch
    {
        LandlockEmulation.UnixSockets => "add a rule of ResolveUnix alone on the socket itself (this kernel then restricts no UNIX socket at all, and the program can reach every socket of the machine), or make the ruleset with an ABI before V9 (the same)",
        LandlockEmulation.UdpSockets => "allow ConnectSendUdp or BindUdp on the ports the program uses (this kernel then restricts no UDP socket), or make the ruleset with an ABI before V10",
        LandlockEmulation.MemfdExecute => "have the program make its memfds with MFD_NOEXEC_SEAL, or make the ruleset without handling Execute",
        _ => "grant part of the UNIX or UDP sockets LandlockPS closes (see their denials), or make the ruleset with an ABI before V9",
    };
}
