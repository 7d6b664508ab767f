using System.Net;
using HaAgent.NativeInterop.Rados;

namespace HaAgent.NativeInterop.Tests.Rados;

public sealed class RadosClientAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:0/3735928559", "127.0.0.1", 0, 3735928559u)]
    [InlineData("127.1.2.3:6800/42", "127.1.2.3", 6800, 42u)]
    [InlineData("[::1]:0/5", "::1", 0, 5u)]
    [InlineData("[fd00::7]:0/0", "fd00::7", 0, 0u)]
    public void Parse_CephForm_RoundTrips(string text, string ip, int port, uint nonce)
    {
        var address = RadosClientAddress.Parse(text);

        Assert.Equal(IPAddress.Parse(ip), address.IPAddress);
        Assert.Equal(port, address.Port);
        Assert.Equal(nonce, address.Nonce);
        Assert.Equal(text, address.ToString());
        Assert.Equal(address, RadosClientAddress.Parse(address.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1/5")]
    [InlineData("::1:0/5")] // unbracketed IPv6: the mon reads it as a different address
    [InlineData("127.1:0/5")] // IPAddress.Parse takes it, the mon would not mean 127.0.0.1
    [InlineData("0x7f.0.0.1:0/5")]
    [InlineData("host.example:0/5")]
    [InlineData("127.0.0.1:0/-1")]
    [InlineData("127.0.0.1:0/4294967296")]
    [InlineData("127.0.0.1:65536/1")]
    [InlineData("127.0.0.1:0/1 ")]
    [InlineData("v2:127.0.0.1:0/1")]
    [InlineData("[127.0.0.1]:0/1")]
    public void Parse_Malformed_IsArgumentException(string text)
    {
        Assert.Throws<ArgumentException>(() => RadosClientAddress.Parse(text));
        Assert.False(RadosClientAddress.TryParse(text, out _));
    }

    [Fact]
    public void WholeHost_DropsPortAndNonce()
    {
        var address = RadosClientAddress.Parse("127.7.7.9:0/991");

        Assert.False(address.IsWholeHost);
        Assert.True(address.WholeHost.IsWholeHost);
        Assert.Equal("127.7.7.9:0/0", address.WholeHost.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1:0/123", "127.0.0.1:0/123")]
    [InlineData("v2:127.0.0.1:0/123", "127.0.0.1:0/123")]
    [InlineData("[v2:127.0.0.1:0/123,v1:127.0.0.1:0/123]", "127.0.0.1:0/123")]
    [InlineData("[::1]:0/9", "[::1]:0/9")]
    public void StripAddressVector_GetaddrsForms_GiveBlocklistForm(string getaddrs, string expected) =>
        Assert.Equal(expected, RadosNames.StripAddressVector(getaddrs));
}
