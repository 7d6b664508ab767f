using HaAgent.NativeInterop.Iscsi;
using static HaAgent.Testing.Iscsi.IscsiTestHosts;

namespace HaAgent.NativeInterop.Tests.Iscsi;

/// <summary>Bad input is refused with ArgumentException before libiscsi sees it: these run without libiscsi or tgtd.</summary>
public sealed class IscsiInputValidationTests
{
    private const string Target = "iqn.2024-01.test.haagent:tgt";

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData(":3260")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:32 60")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("::1:3260")]
    [InlineData("[::1]")]
    [InlineData("[]:3260")]
    [InlineData("iscsi://127.0.0.1:3260/iqn.x/1")]
    [InlineData("host name:3260")]
    public void Connect_MalformedPortal_ThrowsArgumentException(string portal)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => IscsiSession.Connect(portal, Target, 1, InitiatorA, SessionTimeout));
        Assert.Equal("portal", error.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("target")]
    [InlineData("iqn.2024-01.test:with space")]
    [InlineData("iqn.2024-01.test:ümlaut")]
    public void Connect_MalformedTargetIqn_ThrowsArgumentException(string targetIqn)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => IscsiSession.Connect("127.0.0.1:3260", targetIqn, 1, InitiatorA, SessionTimeout));
        Assert.Equal("targetIqn", error.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("host-a")]
    public void Connect_MalformedInitiatorIqn_ThrowsArgumentException(string initiatorIqn)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => IscsiSession.Connect("127.0.0.1:3260", Target, 1, initiatorIqn, SessionTimeout));
        Assert.Equal("initiatorIqn", error.ParamName);
    }

    [Fact]
    public void Connect_NameLongerThan223Bytes_ThrowsArgumentException()
    {
        var name = "iqn.2024-01.test:" + new string('x', 223);
        Assert.ThrowsAny<ArgumentException>(() => IscsiSession.Connect("127.0.0.1:3260", name, 1, InitiatorA, SessionTimeout));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(16384)]
    public void Connect_LunOutOfRange_ThrowsArgumentOutOfRangeException(int lun)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => IscsiSession.Connect("127.0.0.1:3260", Target, lun, InitiatorA, SessionTimeout));
        Assert.Equal("lun", error.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3601)]
    public void Connect_TimeoutOutOfRange_ThrowsArgumentOutOfRangeException(int seconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => IscsiSession.Connect("127.0.0.1:3260", Target, 1, InitiatorA, TimeSpan.FromSeconds(seconds)));
        Assert.Equal("timeout", error.ParamName);
    }

    [Theory]
    [InlineData("127.0.0.1:3260")]
    [InlineData("[::1]:3260")]
    [InlineData("storage-1.example:860")]
    public void PortalValidation_WellFormedPortal_IsAccepted(string portal) =>
        IscsiInputValidation.Portal(portal, "portal");

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(5, 1)]
    [InlineData(7, 2)]
    [InlineData(15, 3)]
    [InlineData(3600, 6)]
    public void SynRetriesWithin_Timeout_GivesUpNoLaterThanTheTimeoutButRetriesAtLeastOnce(int seconds, int expected) =>
        Assert.Equal(expected, IscsiSession.SynRetriesWithin(seconds));
}
