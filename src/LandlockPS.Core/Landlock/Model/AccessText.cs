using System;
using System.Collections.Generic;
using System.Linq;

namespace LandlockPS.Core.Landlock;

/// <summary>Renders access rights compactly: group names where they fit, single rights for the rest.</summary>
public static class AccessText
{
    /// <summary>
    /// Formats <paramref name="access"/> as seen from a ruleset that handles <paramref name="universe"/>:
    /// "ReadWrite" there means every handled right but Execute.
    /// </summary>
    public static string Format(LandlockAccessFs access, LandlockAccessFs universe = LandlockAccessFs.ReadWriteExecute)
    {
        if (access == LandlockAccessFs.None) return "None";
        LandlockAccessFs missing = universe & ~access;
        if ((access & ~universe) == 0 && missing != 0 && BitCount(missing) <= 3 && BitCount(access) > 2 * BitCount(missing) && !IsGroupWithin(access, universe))
        {
            // "Nearly everything" reads better as what is left out; in a ruleset of a few rights, naming
            // them is shorter than sending the reader to look up the rest.
            return $"All but {string.Join(", ", SingleRights(missing))}";
        }
        var parts = new List<string>();
        LandlockAccessFs rest = access;
        foreach (LandlockAccessFs group in AccessGroups.Groups)
        {
            LandlockAccessFs bits = group & universe;
            // A group the ruleset narrows to one right is that right: "ReadWrite" would overstate WriteFile.
            if (BitCount(bits) < 2 || (rest & bits) != bits || HasSmallerTwin(group, bits, universe) || WritesNothing(group, bits)) continue;
            parts.Add(group.ToString());
            rest &= ~bits;
        }
        parts.AddRange(SingleRights(rest));
        return string.Join(", ", parts);
    }

    /// <summary>Formats any flags enum as a comma-separated list of its single bits, or "None".</summary>
    public static string FormatFlags<T>(T value) where T : struct, Enum
    {
        string[] names = SingleRights(value).ToArray();
        return names.Length == 0 ? "None" : string.Join(", ", names);
    }

    /// <summary>What one class LandlockPS closes where the kernel's Landlock cannot (<see cref="LandlockEmulation"/>) keeps a sandbox from making, in words: "a UNIX socket".</summary>
    public static string Describe(LandlockEmulation emulation) => emulation switch
    {
        LandlockEmulation.UnixSockets => "a UNIX socket",
        LandlockEmulation.UdpSockets => "a UDP socket",
        LandlockEmulation.MemfdExecute => "a memfd that could be executed",
        LandlockEmulation.IoUring => "io_uring",
        _ => emulation.ToString(),
    };

    /// <summary>
    /// How wide a column of rights may be on a screen <paramref name="screenWidth"/> characters wide: a
    /// quarter of it, at least 28 (so the path beside it stays in view at 80 columns), at most 60.
    /// </summary>
    public static int ColumnWidth(int screenWidth) => Math.Clamp(screenWidth / 4, 28, 60);

    /// <summary>
    /// Breaks a comma-separated list (as <see cref="Format"/> writes it) into lines of at most
    /// <paramref name="width"/> characters, after a comma, never inside a name; a name longer than the width
    /// gets a line of its own. For table cells, which would otherwise break inside a name.
    /// </summary>
    public static string Wrap(string text, int width)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = new List<string>();
        string[] items = text.Split(", ");
        for (int i = 0; i < items.Length; i++)
        {
            string item = items[i];
            // Room for the comma that ends the line if the next item does not fit.
            int room = i == items.Length - 1 ? width : width - 1;
            if (lines.Count > 0 && lines[^1].Length + 2 + item.Length <= room) lines[^1] += $", {item}";
            else if (lines.Count > 0) { lines[^1] += ","; lines.Add(item); }
            else lines.Add(item);
        }
        return string.Join("\n", lines);
    }

    // A group named for writing that the universe narrows to rights that write nothing (Refer, with a
    // ruleset handling only reads) would read as granting writes.
    private static bool WritesNothing(LandlockAccessFs group, LandlockAccessFs bits) =>
        (group & LandlockAccessFs.WriteFile) != 0 && (bits & Writing) == 0;

    private const LandlockAccessFs Writing = LandlockAccessFs.WriteFile | LandlockAccessFs.RemoveDir | LandlockAccessFs.RemoveFile |
        LandlockAccessFs.MakeChar | LandlockAccessFs.MakeDir | LandlockAccessFs.MakeReg | LandlockAccessFs.MakeSock |
        LandlockAccessFs.MakeFifo | LandlockAccessFs.MakeBlock | LandlockAccessFs.MakeSym | LandlockAccessFs.Truncate;

    // A group as the universe narrows it ("ReadWrite" in an ABI-5 ruleset lacks ResolveUnix) still reads as the group.
    private static bool IsGroupWithin(LandlockAccessFs access, LandlockAccessFs universe) =>
        AccessGroups.Groups.Any(group => (group & universe) == access);

    private static int BitCount(LandlockAccessFs access) => System.Numerics.BitOperations.PopCount((ulong)access);

    // Prefer the group that names fewer rights when both resolve to the same set
    // (a ruleset that does not handle Execute: ReadWriteExecute is just ReadWrite).
    private static bool HasSmallerTwin(LandlockAccessFs group, LandlockAccessFs bits, LandlockAccessFs universe) =>
        AccessGroups.Groups.Any(other =>
            other != group && (other & group) == other && (other & universe) == bits);

    private static IEnumerable<string> SingleRights<T>(T value) where T : struct, Enum
    {
        ulong bits = Convert.ToUInt64(value);
        string?[] names = BitNames<T>.ByBit;
        for (int bit = 0; bit < 64; bit++)
        {
            if ((bits & (1UL << bit)) != 0) yield return names[bit] ?? $"0x{1UL << bit:X}";
        }
    }

    /// <summary>The name of each single-bit member of a flags enum, by bit, looked up once.</summary>
    private static class BitNames<T> where T : struct, Enum
    {
        internal static readonly string?[] ByBit = Build();

        private static string?[] Build()
        {
            var names = new string?[64];
            foreach (T member in Enum.GetValues<T>())
            {
                ulong value = Convert.ToUInt64(member);
                if (System.Numerics.BitOperations.IsPow2(value)) names[System.Numerics.BitOperations.Log2(value)] = member.ToString();
            }
            return names;
        }
    }
}
