using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Observe;
using System.Management.Automation.Language;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Propose;

namespace LandlockPS;

/// <summary>
/// Renders the fixes Core hands over (<see cref="LandlockAccessFix"/>) as PowerShell a user can paste:
/// the Suggestion property (LandlockPS.types.ps1xml) and the Test-LandlockAccess view use it.
/// </summary>
public static class AccessFixText
{
    /// <summary>One fix as a command (or, to handle a right first or leave a class to the kernel, the commands and parameters that do).</summary>
    public static string Render(LandlockAccessFix fix) =>
        fix.Emulation != LandlockEmulation.None ? LiftEmulation(fix.Emulation)
        : fix.HandleFirst
            ? $"Handle {AccessText.FormatFlags(fix.Access)} (New-LandlockRuleset -Abi V2 or newer handles it unless -HandledAccessFs leaves it out), " +
              "then allow it on the directories a file moves between"
            : PathRule(fix.Path!, fix.Access) + (fix.PathMissing ? CreateFirst(fix.Access) : string.Empty);

    // A block comment, so the command still pastes, alone or joined with others by "; ".
    private static string CreateFirst(LandlockAccessFs access) =>
        $" <# once that path exists: it does not yet, and only a rule on '/' covers it now, which would grant {AccessText.FormatFlags(access)} on the whole file system #>";

    // The socket's folder and the port are not known: the call that would name them was the one denied.
    private static string LiftEmulation(LandlockEmulation emulation) => emulation switch
    {
        LandlockEmulation.UnixSockets =>
            "Add-LandlockPathRule -Ruleset $ruleset -LiteralPath <the socket> -Access ResolveUnix (a rule of ResolveUnix alone; this kernel then restricts no UNIX socket, " +
            "and the sandbox can reach every socket of the machine), or make the ruleset with New-LandlockRuleset -Abi V8 (the same)",
        LandlockEmulation.UdpSockets =>
            "Add-LandlockNetRule -Ruleset $ruleset -Port <the port> -Access ConnectSendUdp (BindUdp to serve; this kernel then restricts no UDP socket), " +
            "or make the ruleset with New-LandlockRuleset -Abi V9",
        LandlockEmulation.MemfdExecute =>
            "Have the program make its memfds with MFD_NOEXEC_SEAL, or make the ruleset with New-LandlockRuleset -HandledAccessFs leaving out Execute",
        _ => "Grant what the program needs of the UNIX or UDP sockets LandlockPS closes (see their denials), or make the ruleset with New-LandlockRuleset -Abi V8",
    };

    /// <summary>Every fix of an explanation, separated by "; "; null when nothing is denied.</summary>
    public static string? Suggestion(LandlockAccessExplanation explanation) =>
        explanation.Fixes.Count == 0 ? null : string.Join("; ", explanation.Fixes.Select(Render));

    /// <summary>Each judged event with its fixes rendered as <see cref="LandlockAccessEvent.Suggestion"/>.</summary>
    public static IReadOnlyList<LandlockAccessEvent> WithSuggestions(IEnumerable<LandlockAccessEvent> events) =>
        events.Select(e => Suggest(e) is { } suggestion ? e with { Suggestion = suggestion } : e).ToArray();

    /// <summary>A proposed rule as the command that adds it to a ruleset in $ruleset (its Command property, LandlockPS.types.ps1xml).</summary>
    public static string Command(LandlockProposedRule rule) => rule.Path is { } path
        ? PathRule(path, rule.Access)
        : NetRule(rule.Port ?? 0, rule.NetAccess);

    // A denied path carries its fixes; a denied port is allowed by a rule for what was asked on that port.
    private static string? Suggest(LandlockAccessEvent e) =>
        e.Fixes is { Count: > 0 } fixes ? string.Join("; ", fixes.Select(Render))
        : e is { Allowed: false, Port: { } port } ? NetRule(port, e.NetAccess)
        : null;

    private static string PathRule(string path, LandlockAccessFs access) =>
        $"Add-LandlockPathRule -Ruleset $ruleset -LiteralPath '{CodeGeneration.EscapeSingleQuotedStringContent(path)}' -Access {AccessText.FormatFlags(access)}";

    private static string NetRule(int port, LandlockAccessNet access) =>
        $"Add-LandlockNetRule -Ruleset $ruleset -Port {port} -Access {AccessText.FormatFlags(access)}";

    /// <summary>The explanation as Test-LandlockAccess shows it, its fixes ready to paste.</summary>
    public static string Explain(LandlockAccessExplanation explanation) => explanation.Explain(Render);
}
