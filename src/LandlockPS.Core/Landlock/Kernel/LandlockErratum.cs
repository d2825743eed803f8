using System.Collections.Generic;
using System.Linq;

namespace LandlockPS.Core.Landlock;

/// <summary>A Landlock fix the running kernel reports (landlock_create_ruleset with LANDLOCK_CREATE_RULESET_ERRATA).</summary>
public sealed record LandlockErratum(int Id, LandlockAbi AffectedSince, string Title, bool Known)
{
    // From security/landlock/errata/abi-*.h: erratum N is bit N-1 of the kernel's answer.
    private static readonly LandlockErratum[] KnownErrata =
    [
        new(1, LandlockAbi.V4, "TCP socket identification: only TCP sockets are subject to TCP rights", true),
        new(2, LandlockAbi.V6, "Scoped signal handling: threads of one process may always signal each other", true),
        new(3, LandlockAbi.V1, "Disconnected directory handling: no access widening through rename or link", true),
    ];

    /// <summary>The errata a kernel's bitmask names, unknown ones included by number.</summary>
    public static IReadOnlyList<LandlockErratum> FromBitmask(long bitmask) =>
        Enumerable.Range(1, 63)
            .Where(id => (bitmask & (1L << (id - 1))) != 0)
            .Select(id => KnownErrata.FirstOrDefault(e => e.Id == id)
                ?? new LandlockErratum(id, LandlockAbi.V1, "Not known to this module version", false))
            .ToArray();

    /// <inheritdoc/>
    public override string ToString() => $"{Id}: {Title}";
}
