using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace LandlockPS.Core.Native;

/// <summary>
/// The mounts this process sees (/proc/self/mountinfo), for the other paths a file or folder has
/// through them: a folder mounted again elsewhere (mount --bind) is the same folder under a second
/// path, as a hard link is the same file under a second name, and a rule on a folder above that
/// path reaches it there. An overlay mount shows the folders it merges (its layers): what is
/// written in one shows through it.
/// </summary>
internal sealed class MountTable
{
    private readonly List<Mount> _mounts;

    // Where each overlay shows its upper layer from, and at which mount point: resolved once, as a
    // docker host has hundreds of overlays and a walk asks of every file it meets.
    private readonly Lazy<List<(string Shown, string MountPoint)>> _uppers;

    private MountTable(List<Mount> mounts)
    {
        _mounts = mounts;
        _uppers = new(() => mounts.Where(m => m.Upper && m.Layers[0].StartsWith('/'))
            .Select(m => (Join(PathLookup.RealPath(m.Layers[0], out _) ?? m.Layers[0], m.Root == "/" ? string.Empty : m.Root), m.MountPoint))
            .ToList());
    }

    // Layers: an overlay's, upper first when it has one (Upper).
    // Source: what it was mounted from (a device, a description), as mountinfo gives it.
    private readonly record struct Mount(string Id, string Parent, string Device, string Root, string MountPoint, string[] Layers, bool Upper, string Source);

    /// <summary>This process's mounts; none when /proc cannot be read (then no other path is known).</summary>
    public static MountTable Read()
    {
        try
        {
            return Parse(File.ReadLines("/proc/self/mountinfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new([]);
        }
    }

    /// <summary>Mounts from mountinfo lines: id parent major:minor root mount-point options... - type source super-options (malformed lines are skipped).</summary>
    internal static MountTable Parse(IEnumerable<string> lines) => new(lines
        .Select(line => line.Split(' '))
        .Where(fields => fields.Length > 4 && fields[3].StartsWith('/') && fields[4].StartsWith('/'))
        .Select(fields => (Fields: fields, Layers: OverlayLayers(fields).ToList()))
        .Select(m => new Mount(m.Fields[0], m.Fields[1], m.Fields[2], Folder(m.Fields[3]), Folder(m.Fields[4]),
            m.Layers.OrderBy(l => !l.Upper).Select(l => l.Path).ToArray(), m.Layers.Any(l => l.Upper), Source(m.Fields)))
        .ToList());

    private static string Folder(string field) => Unescape(field).TrimEnd('/') is { Length: > 0 } folder ? folder : "/";

    // What the mount was made from: after the lone '-' that ends the optional fields, the type, then this.
    private static string Source(string[] fields) =>
        Array.IndexOf(fields, "-", 5) is int end and >= 0 && end + 2 < fields.Length ? Unescape(fields[end + 2]) : string.Empty;

    // An overlay's layers, as given to mount (a relative one from the mounter's working folder),
    // among its own options after the lone '-' that ends the optional fields: upperdir, lowerdir
    // (a list split at colons, "\:" a colon within a path; "::" before data-only layers), or one
    // lowerdir+ or datadir+ each. Commas and backslashes in them are escaped as in the other fields.
    private static IEnumerable<(string Path, bool Upper)> OverlayLayers(string[] fields)
    {
        int end = Array.IndexOf(fields, "-", 5);
        if (end < 0 || end + 3 >= fields.Length || fields[end + 1] != "overlay") return [];
        return fields[end + 3].Split(',')
            .Select(option => option.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .SelectMany(pair => pair[0] switch
            {
                "lowerdir" => SplitLayers(Unescape(pair[1])).Select(layer => (layer, false)),
                "upperdir" => [(Unescape(pair[1]), true)],
                "lowerdir+" or "datadir+" => [(Unescape(pair[1]), false)],
                _ => [],
            })
            .Select(layer => (layer.Item1.TrimEnd('/') is { Length: > 0 } folder ? folder : "/", layer.Item2));
    }

    // overlayfs splits at a colon not escaped with a backslash, then drops each escaping backslash.
    private static IEnumerable<string> SplitLayers(string list)
    {
        var layer = new System.Text.StringBuilder();
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i] == '\\' && i + 1 < list.Length) layer.Append(list[++i]);
            else if (list[i] != ':') layer.Append(list[i]);
            else if (layer.Length > 0)
            {
                yield return layer.ToString();
                layer.Clear();
            }
        }
        if (layer.Length > 0) yield return layer.ToString();
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as three octal digits.</summary>
    internal static string Unescape(string field) =>
        Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());

    /// <summary>
    /// The paths other than <paramref name="path"/> (absolute, without links) that lead to the same
    /// file or folder through another mount of its file system. One hidden under a later mount is
    /// listed too, though it leads elsewhere now (or nowhere): asked what a sandbox may write, a path
    /// too many only makes the answer stricter; asked what it may read, keep only the paths that
    /// lead to the same inode.
    /// </summary>
    public IEnumerable<string> OtherPaths(string path) => OtherPaths(path, MountOf(path));

    /// <summary>As <see cref="OtherPaths(string)"/>, for a path the kernel says lies in the mount of id <paramref name="mountId"/> (null: not known).</summary>
    internal IEnumerable<string> OtherPaths(string path, string? mountId)
    {
        int own = Own(path, mountId);
        if (own < 0) yield break;
        string inFileSystem = Join(_mounts[own].Root, Rest(path, _mounts[own].MountPoint));
        for (int i = 0; i < _mounts.Count; i++)
        {
            (_, _, string device, string root, string mountPoint, _, _, _) = _mounts[i];
            if (i == own || device != _mounts[own].Device || !Beneath(inFileSystem, root)) continue;
            string other = Join(mountPoint, Rest(inFileSystem, root));
            if (other != path) yield return other;
        }
    }

    /// <summary>
    /// Where in the layers of the overlay mount that <paramref name="path"/> (absolute, without
    /// links) lies in it may come from: the same path beneath each layer, whether or not it is there
    /// now (writing it in an upper layer adds it). A layer given to mount by a relative path stays
    /// relative: where it lies is not known. None when the path lies in no overlay.
    /// </summary>
    public IEnumerable<string> LayerPaths(string path) => LayerPaths(path, MountOf(path));

    /// <summary>As <see cref="LayerPaths(string)"/>, for a path the kernel says lies in the mount of id <paramref name="mountId"/> (null: not known).</summary>
    internal IEnumerable<string> LayerPaths(string path, string? mountId)
    {
        int own = Own(path, mountId);
        if (own < 0) return [];
        // A mount of a folder within the overlay (mount --bind merged/sub) shows that folder of each layer.
        string inFileSystem = Join(_mounts[own].Root, Rest(path, _mounts[own].MountPoint));
        return _mounts[own].Layers.Select(layer => Join(layer, inFileSystem == "/" ? string.Empty : inFileSystem));
    }

    /// <summary>
    /// The paths in overlay mounts whose upper layer holds <paramref name="path"/> (absolute, without
    /// links): what is written there is written in the layer. An upper layer given to mount by a
    /// relative path cannot be placed, and is passed over.
    /// </summary>
    public IEnumerable<string> ViewsOf(string path) =>
        _uppers.Value.Where(upper => Beneath(path, upper.Shown)).Select(upper => Join(upper.MountPoint, Rest(path, upper.Shown)));

    /// <summary>
    /// Where the file system that <paramref name="path"/> lies in is stored: the device it was
    /// mounted from, and for a loop device the image file behind it. Who may write either may write
    /// every file on it, whatever the paths say.
    /// </summary>
    public IEnumerable<string> StoresOf(string path) => StoresOf(path, MountOf(path), LoopImage);

    /// <summary>As <see cref="StoresOf(string)"/>, with the kernel's mount id and the image behind a loop device given.</summary>
    internal IEnumerable<string> StoresOf(string path, string? mountId, Func<string, string?> loopImage)
    {
        int own = Own(path, mountId);
        if (own < 0 || !_mounts[own].Source.StartsWith("/dev/", StringComparison.Ordinal)) yield break;
        string device = _mounts[own].Source;
        yield return device;
        if (loopImage(device) is { } image) yield return image;
    }

    // /dev/loopN's image, as /sys/block/loopN/loop/backing_file names it.
    private static string? LoopImage(string device)
    {
        string name = Path.GetFileName(device);
        if (!Regex.IsMatch(name, "^loop[0-9]+$")) return null;
        try
        {
            string image = File.ReadAllText($"/sys/block/{name}/loop/backing_file").TrimEnd('\n');
            return image.StartsWith('/') ? image : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // The mount the path lies in, as the kernel says (statx); for a path that names nothing, the
    // topmost at the longest mount point above it. Topmost by parent, not by order: mountinfo lists
    // mounts as they were made, and one made earlier may lie on top (mount --move onto a mount point).
    private int Own(string path, string? mountId)
    {
        if (mountId is not null && _mounts.FindIndex(m => m.Id == mountId && Beneath(path, m.MountPoint)) is int known and >= 0) return known;
        List<int> above = Enumerable.Range(0, _mounts.Count).Where(i => Beneath(path, _mounts[i].MountPoint)).ToList();
        if (above.Count == 0) return -1;
        int longest = above.Max(i => _mounts[i].MountPoint.Length);
        List<int> there = above.Where(i => _mounts[i].MountPoint.Length == longest).ToList();
        return there.FirstOrDefault(i => !there.Any(other => _mounts[other].Parent == _mounts[i].Id), there[^1]);
    }

    private static unsafe string? MountOf(string path)
    {
        LibC.StatxBuffer status = default;
        return LibC.Statx(LibC.AT_FDCWD, path, 0, LibC.STATX_MNT_ID, &status) == 0 && (status.Mask & LibC.STATX_MNT_ID) != 0
            ? status.MountId.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    private static bool Beneath(string path, string folder) =>
        folder == "/" || path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    // What follows `folder` in `path` beneath it: empty, or starting with a slash.
    private static string Rest(string path, string folder) => folder == "/" ? path.TrimEnd('/') : path[folder.Length..];

    private static string Join(string folder, string rest) => folder == "/" ? (rest.Length == 0 ? "/" : rest) : folder + rest;
}
