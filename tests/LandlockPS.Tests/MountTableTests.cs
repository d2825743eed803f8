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
}
