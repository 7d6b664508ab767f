using HaAgent.Protocol.Messages;
using HaAgent.Protocol.Validation;

namespace HaAgent.Protocol.Tests.Validation;

public sealed class MessageValidatorTests
{
    [Theory]
    [InlineData("127.99.0.5:0/3271329370")]
    [InlineData("127.99.1.1:6800/0")]
    [InlineData("[::1]:0/12")]
    public void IsCephAddress_BlocklistForm_IsAccepted(string address) => Assert.True(MessageValidator.IsCephAddress(address));

    [Theory]
    [InlineData("")]
    [InlineData("127.99.0.5")]
    [InlineData("127.99.0.5:0")]
    [InlineData("127.99.0.5/12")]
    [InlineData("127.99.0.5:0/4294967296")]
    [InlineData("127.99.0.5:70000/1")]
    [InlineData("127.99.5:0/1")]
    [InlineData("::1:0/1")]
    [InlineData("host.example:0/1")]
    [InlineData("127.99.0.5:0/-1")]
    [InlineData("127.99.0.5:0/1 ; rm -rf /")]
    public void IsCephAddress_AnythingElse_IsRefused(string address) => Assert.False(MessageValidator.IsCephAddress(address));

    [Theory]
    [InlineData("0x1a2b", true)]
    [InlineData("ABCDEF0123456789", true)]
    [InlineData("0x0", false)]
    [InlineData("0", false)]
    [InlineData("", false)]
    [InlineData("0x", false)]
    [InlineData("12345678901234567", false)]
    [InlineData("xyz", false)]
    [InlineData("-1", false)]
    public void IsPrKey_HexNonZeroUpTo64Bits(string key, bool valid) => Assert.Equal(valid, MessageValidator.IsPrKey(key));

    [Theory]
    [InlineData("vm-1", true)]
    [InlineData("iqn.2024-01.test:t1", true)]
    [InlineData("", false)]
    [InlineData("-vm", false)]
    [InlineData("../etc/passwd", false)]
    [InlineData("vm 1", false)]
    [InlineData("vm\n1", false)]
    [InlineData("vm-é", false)]
    public void IsId_SafeAsciiOnly(string id, bool valid) => Assert.Equal(valid, MessageValidator.IsId(id));

    [Fact]
    public void IsId_LongerThanLimit_IsRefused()
    {
        Assert.True(MessageValidator.IsId(new string('a', ProtocolLimits.MaxIdChars)));
        Assert.False(MessageValidator.IsId(new string('a', ProtocolLimits.MaxIdChars + 1)));
    }

    public static TheoryData<ProtocolMessage, string> InvalidMessages => new()
    {
        { Samples.Heartbeat with { Incarnation = -1 }, "incarnation" },
        { Samples.Heartbeat with { Sequence = -1 }, "sequence" },
        { Samples.Heartbeat with { LastStamp = new OrderStamp(-1, 0) }, "lastStamp" },
        { Samples.Fence with { Stamp = new OrderStamp(3, 0) }, "stamp" },
        { Samples.Fence with { CephAddresses = ["nope"] }, "cephAddresses[0]" },
        { Samples.Fence with { CephAddresses = [], IscsiTargets = [] }, "cephAddresses" },
        { Samples.Fence with { IscsiTargets = [new IscsiFenceTarget("iqn.x:t", 0, "0x0")] }, "iscsiTargets[0]" },
        { Samples.Hello with { Fence = new FenceIdentity([], "zz") }, "fence.iscsiPrKey" },
        { Samples.VmReport with { Vms = [new VmStatus("vm-1", VmRunState.Running, 0)] }, "vms[0].leaderPid" },
        { Samples.VmReport with { Vms = [new VmStatus("vm-1", VmRunState.Hung, -3)] }, "vms[0].leaderPid" },
        { Samples.VmReport with { Vms = [new VmStatus("vm-1", VmRunState.Crashed, 12)] }, "vms[0].leaderPid" },
        { Samples.VmReport with { Vms = [new VmStatus("vm-1", VmRunState.Stopped, 12)] }, "vms[0].leaderPid" },
        { Samples.VmReport with { Vms = [new VmStatus("vm-1", (VmRunState)99, null)] }, "vms[0].state" },
        { Samples.VmReport with { Vms = [.. Enumerable.Repeat(new VmStatus("vm-1", VmRunState.Stopped, null), ProtocolLimits.MaxListItems + 1)] }, "vms" },
        { Samples.FailedResult with { FailureKind = null }, "failureKind" },
        { Samples.FenceResult with { FailureKind = FailureKind.Timeout }, "failureKind" },
        { Samples.FailedResult with { FailureMessage = "line\nforged audit line" }, "failureMessage" },
        { Samples.FenceResult with { Ceph = new CephBlocklistEvidence(-1, 0, []) }, "ceph" },
        { Samples.FenceResult with { Iscsi = [new IscsiKeysEvidence("iqn.x:t", 0, ["nothex"])] }, "iscsi[0].keys[0]" },
        { Samples.SelfFence with { Reason = "" }, "reason" },
        { Samples.StartVm with { DomainXml = "" }, "domainXml" },
        { Samples.StartVm with { Volumes = [new VolumeSpec("nfs", "p", "n")] }, "volumes[0]" },
        { Samples.Unfence with { AllowedVms = ["ok", "not ok"] }, "allowedVms[1]" },
        { Samples.Ack with { Epoch = -1 }, "epoch" },
    };

    [Theory]
    [MemberData(nameof(InvalidMessages))]
    public void FirstInvalidField_BrokenField_IsNamed(ProtocolMessage message, string field) =>
        Assert.Equal(field, MessageValidator.FirstInvalidField(message));

    [Theory]
    [MemberData(nameof(Samples.AgentMessageNames), MemberType = typeof(Samples))]
    [MemberData(nameof(Samples.CoordinatorMessageNames), MemberType = typeof(Samples))]
    public void FirstInvalidField_Samples_AreValid(string name) =>
        Assert.Null(MessageValidator.FirstInvalidField(Samples.ByName(name)));
}
