using System.Globalization;
using System.Text;
using HaAgent.NativeInterop.Rados;

namespace HaAgent.NativeInterop.Tests.Rados;

public sealed class CephObjectPlacementTests
{
    // Expected values from "ceph osd map POOL NAME -f json" (raw_pgid hash, pgid) on Ceph 16.2.15, pools of 8 and 100 PGs.
    [Theory]
    [InlineData("a", "29eec818", "0", "18")]
    [InlineData("foo", "7fc1f406", "6", "6")]
    [InlineData("rbd_header.1234", "ad4ccb1f", "7", "1f")]
    [InlineData("haagent.osdmap-barrier.0", "b9b42957", "7", "57")]
    [InlineData("haagent.osdmap-barrier.17", "f8dbf730", "0", "30")]
    [InlineData("0123456789ab", "92f31ad0", "0", "50")]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyz", "bfbe133d", "5", "3d")]
    public void PlacementGroup_MatchesCephOsdMap(string name, string hash, string pgOf8, string pgOf100)
    {
        Assert.Equal(uint.Parse(hash, NumberStyles.HexNumber, CultureInfo.InvariantCulture), CephObjectPlacement.Rjenkins(Encoding.UTF8.GetBytes(name)));
        Assert.Equal(uint.Parse(pgOf8, NumberStyles.HexNumber, CultureInfo.InvariantCulture), CephObjectPlacement.PlacementGroup(name, 8));
        Assert.Equal(uint.Parse(pgOf100, NumberStyles.HexNumber, CultureInfo.InvariantCulture), CephObjectPlacement.PlacementGroup(name, 100));
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(8u)]
    [InlineData(100u)]
    [InlineData(4096u)]
    public void OneNamePerPlacementGroup_CoversEveryPgOnce(uint pgNum)
    {
        var names = CephObjectPlacement.OneNamePerPlacementGroup("p.", pgNum);

        Assert.Equal((int)pgNum, names.Length);
        for (var pg = 0u; pg < pgNum; pg++)
        {
            Assert.Equal(pg, CephObjectPlacement.PlacementGroup(names[pg], pgNum));
        }
    }
}
