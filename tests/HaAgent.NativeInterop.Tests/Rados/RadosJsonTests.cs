using System.Text;
using HaAgent.NativeInterop.Rados;

namespace HaAgent.NativeInterop.Tests.Rados;

public sealed class RadosJsonTests
{
    [Fact]
    public void ReadBlocklist_TwoConcatenatedArrays_ReadsAddressAndRangeEntries()
    {
        var json = """[{"addr":"127.0.0.1:0/1234","until":"2026-11-25T21:33:46.972796+0000"}][{"range":"127.1.0.0:0/24","until":"2026-11-25T21:33:50.750099+0000"}]""";

        var entries = RadosJson.ReadBlocklist(Encoding.UTF8.GetBytes(json));

        Assert.Equal(2, entries.Count);
        Assert.Equal(RadosClientAddress.Parse("127.0.0.1:0/1234"), entries[0].Address);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 21, 33, 46, TimeSpan.Zero).AddTicks(9727960), entries[0].Until);
        Assert.True(entries[1].IsRange);
        Assert.Null(entries[1].Address);
        Assert.Equal("127.1.0.0:0/24", entries[1].Target);
    }

    [Theory]
    [InlineData("[][]")]
    [InlineData("[]")]
    [InlineData("")]
    public void ReadBlocklist_Empty_IsEmpty(string json) =>
        Assert.Empty(RadosJson.ReadBlocklist(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void ReadOsdDump_ReadsEpochAndBlocklistSkippingTheRest()
    {
        var json = """{"epoch":12,"fsid":"x","pools":[{"pool":1,"pool_name":"ha"}],"blocklist":{"127.0.0.1:0/5":"2026-11-25T21:33:46.972796+0000"},"range_blocklist":{}}""";
        var blocklist = new Dictionary<string, DateTimeOffset>();

        var epoch = RadosJson.ReadOsdDump(Encoding.UTF8.GetBytes(json), blocklist);

        Assert.Equal(12u, epoch);
        Assert.True(blocklist.ContainsKey("127.0.0.1:0/5"));
    }

    [Fact]
    public void Command_EscapesValues()
    {
        Assert.Equal(
            """{"prefix":"osd blocklist","blocklistop":"rm","addr":"a\u0022b"}""",
            RadosJson.Command("osd blocklist", ("blocklistop", "rm"), ("addr", "a\"b")));
    }
}
