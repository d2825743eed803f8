using LandlockPS.Core.Native;
using Xunit;

namespace LandlockPS.Tests;

public sealed class MountTableTests
{
    // The root file system, /root/bin mounted again at /srv/shared/view, one file mounted over
    // /etc/ld.so.cache, and a tmpfs (another device) at /tmp.
    private static readonly MountTable Mounts = MountTable.Parse(
    [
        "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
        "30 22 254:0 /root/bin /srv/shared/view rw,relatime shared:1 - ext4 /dev/vda rw",
        "31 22 254:0 /var/copy/ld.so.cache /etc/ld.so.cache rw,relatime shared:1 - ext4 /dev/vda rw",
        "32 22 0:40 / /tmp rw,nosuid shared:2 - tmpfs tmpfs rw",
        "33 22 254:0 /home/a\\040b /mnt/with\\040space rw - ext4 /dev/vda rw",
        "malformed",
    ]);

    [Fact]
    public void AFolderMountedAgainGivesWhatIsBeneathItASecondPath()
    {
        Assert.Equal(["/srv/shared/view/prog"], Mounts.OtherPaths("/root/bin/prog"));
        Assert.Equal(["/srv/shared/view"], Mounts.OtherPaths("/root/bin"));
        // And the other way round: the mounted view leads back to where the folder lies.
        Assert.Equal(["/root/bin/prog"], Mounts.OtherPaths("/srv/shared/view/prog"));
        Assert.Equal(["/etc/ld.so.cache"], Mounts.OtherPaths("/var/copy/ld.so.cache"));
        Assert.Equal(["/mnt/with space/x"], Mounts.OtherPaths("/home/a b/x"));
    }

    [Fact]
    public void APathNoOtherMountShowsHasNone()
    {
        Assert.Empty(Mounts.OtherPaths("/root/binaries/prog")); // a name that only starts alike
        Assert.Empty(Mounts.OtherPaths("/usr/bin/cat"));
        Assert.Empty(Mounts.OtherPaths("/tmp/x")); // on the tmpfs, mounted once
        Assert.Empty(MountTable.Parse([]).OtherPaths("/root/bin/prog"));
    }

    [Fact]
    public void AnOverlayShowsWhatLiesAtTheSamePathInEachOfItsLayers()
    {
        MountTable mounts = MountTable.Parse(
        [
            "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            // A relative lower layer, one with an escaped colon, a data-only one after "::", one with a comma.
            "70 22 0:39 / /srv/merged rw,relatime shared:2 master:1 - overlay overlay rw,lowerdir=rel:/srv/a\\134:b::/srv/data,upperdir=/srv/up\\054per,workdir=/srv/work,uuid=on",
            // Layers added one by one (fsconfig), as a kernel shows them then.
            "71 22 0:40 / /srv/other rw - overlay overlay rw,lowerdir+=/srv/l1,lowerdir+=/srv/l:2,datadir+=/srv/d",
            "72 70 0:41 / /srv/merged/tmp rw - tmpfs tmpfs rw",
            // The overlay's folder bin mounted again (mount --bind /srv/merged/bin /srv/view).
            "73 22 0:39 /bin /srv/view rw - overlay overlay rw,lowerdir=rel:/srv/a\\134:b::/srv/data,upperdir=/srv/up\\054per,workdir=/srv/work,uuid=on",
        ]);
        Assert.Equal(["/srv/up,per/bin/prog", "rel/bin/prog", "/srv/a:b/bin/prog", "/srv/data/bin/prog"], mounts.LayerPaths("/srv/merged/bin/prog"));
        Assert.Equal(["/srv/up,per", "rel", "/srv/a:b", "/srv/data"], mounts.LayerPaths("/srv/merged"));
        Assert.Equal(["/srv/l1/x", "/srv/l:2/x", "/srv/d/x"], mounts.LayerPaths("/srv/other/x"));
        Assert.Equal(["/srv/up,per/bin/prog", "rel/bin/prog", "/srv/a:b/bin/prog", "/srv/data/bin/prog"], mounts.LayerPaths("/srv/view/prog"));
        // The other way: what lies in the upper layer is written through every view of it; a lower layer is not.
        Assert.Equal(["/srv/merged/bin/prog", "/srv/view/prog"], mounts.ViewsOf("/srv/up,per/bin/prog"));
        Assert.Equal(["/srv/merged"], mounts.ViewsOf("/srv/up,per"));
        Assert.Empty(mounts.ViewsOf("/srv/data/bin/prog"));
        Assert.Empty(mounts.ViewsOf("/srv/up,perx/prog"));
        // Beneath a mount inside the overlay, or outside it, no layer shows.
        Assert.Empty(mounts.LayerPaths("/srv/merged/tmp/x"));
        Assert.Empty(mounts.LayerPaths("/srv/mergedx/prog"));
        Assert.Empty(Mounts.LayerPaths("/root/bin/prog"));
    }

    [Fact]
    public void APathLiesInTheMountOnTopAtItsMountPointWhereverMountinfoListsIt()
    {
        // /srv/shared/bin, mounted first, was moved on top of /root/own at /srv/view.
        MountTable mounts = MountTable.Parse(
        [
            "22 1 254:0 / / rw - ext4 /dev/vda rw",
            "67 68 254:0 /srv/shared/bin /srv/view rw - ext4 /dev/vda rw",
            "68 22 254:0 /root/own /srv/view rw - ext4 /dev/vda rw",
        ]);
        Assert.Equal(["/srv/shared/bin/prog"], mounts.OtherPaths("/srv/view/prog", mountId: null));
        // Where the kernel names the mount, that is the one: the same mount 67 by its id.
        Assert.Equal(["/srv/shared/bin/prog"], mounts.OtherPaths("/srv/view/prog", mountId: "67"));
        // Hidden beneath, the other folder is still listed as a path (what a sandbox may write counts it).
        Assert.Contains("/srv/view/x", mounts.OtherPaths("/root/own/x", mountId: "22"));
    }

    [Fact]
    public void SubvolumeRootsBindsOfRootAndNestedBindsMapThroughEachMountsRoot()
    {
        // btrfs: / is the subvolume @, the top of the file system is mounted at /mnt/top; / is
        // mounted again at /srv/shared/all, and /srv/shared/all/root/bin again at /srv/nested.
        MountTable mounts = MountTable.Parse(
        [
            "22 1 0:30 /@ / rw - btrfs /dev/vda rw,subvol=/@",
            "23 22 0:30 /@home /home rw - btrfs /dev/vda rw,subvol=/@home",
            "24 22 0:30 / /mnt/top rw - btrfs /dev/vda rw,subvolid=5",
            "25 22 0:30 /@ /srv/shared/all rw - btrfs /dev/vda rw,subvol=/@",
            "26 22 0:30 /@/root/bin /srv/nested rw - btrfs /dev/vda rw,subvol=/@",
        ]);
        Assert.Equal(["/mnt/top/@/root/bin/prog", "/srv/shared/all/root/bin/prog", "/srv/nested/prog"], mounts.OtherPaths("/root/bin/prog", mountId: "22"));
        Assert.Equal(["/mnt/top/@home/a/x"], mounts.OtherPaths("/home/a/x", mountId: "23"));
        // The path judged is itself a mount point.
        Assert.Equal(["/root/bin", "/mnt/top/@/root/bin", "/srv/shared/all/root/bin"], mounts.OtherPaths("/srv/nested", mountId: "26"));
    }

    [Fact]
    public void AFileSystemIsStoredOnItsDeviceAndALoopDevicesImage()
    {
        MountTable mounts = MountTable.Parse(
        [
            "22 1 254:0 / / rw shared:1 - ext4 /dev/vda rw",
            "40 22 7:3 / /opt/tools rw - ext4 /dev/loop3 rw",
            "41 22 0:40 / /tmp rw - tmpfs tmpfs rw",
        ]);
        static string? Image(string device) => device == "/dev/loop3" ? "/srv/shared/tools.img" : null;
        Assert.Equal(["/dev/vda"], mounts.StoresOf("/root/bin/prog", mountId: null, Image));
        Assert.Equal(["/dev/loop3", "/srv/shared/tools.img"], mounts.StoresOf("/opt/tools/prog", mountId: null, Image));
        Assert.Empty(mounts.StoresOf("/tmp/x", mountId: null, Image)); // no device: memory
    }
}
