using HaAgent.Protocol.Messages;

namespace HaAgent.Protocol.Tests;

/// <summary>One valid instance of every message, with every optional part filled in.</summary>
internal static class Samples
{
    public const string Host = "host-1";

    public static readonly byte[] Secret = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    public static readonly byte[] OtherSecret = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];

    public static HelloMessage Hello => new(
        Host, 7, "1.2.3", ["ceph", "iscsi"],
        new FenceIdentity(["127.99.0.5:0/3271329370", "[::1]:6800/12"], "0x1a2b3c4d"));

    public static HeartbeatMessage Heartbeat => new(Host, 7, 42, new OrderStamp(3, 17));

    public static VmReportMessage VmReport => new(Host, 7,
    [
        new VmStatus("vm-1", VmRunState.Running, 4242),
        new VmStatus("vm-2", VmRunState.Stopped, null),
        new VmStatus("vm-3", VmRunState.Crashed, null),
        new VmStatus("vm-4", VmRunState.Hung, 4343),
    ]);

    public static OrderResultMessage FenceResult => new(
        Host, 7, "order-9", new OrderStamp(3, 18), OrderOutcome.Succeeded,
        new CephBlocklistEvidence(120, 121, ["127.99.0.6:0/99"]),
        [new IscsiKeysEvidence("iqn.2024-01.test:t1", 0, ["0x1", "abc"])],
        null, null);

    public static OrderResultMessage FailedResult => new(
        Host, 7, "order-10", new OrderStamp(3, 19), OrderOutcome.Failed, null, [],
        FailureKind.StorageUnreachable, "mon timeout after 5 s");

    public static SelfFenceReportMessage SelfFence => new(Host, 8, "lost coordinator and storage heartbeat", ["vm-1"]);

    public static FenceOrder Fence => new("order-9", new OrderStamp(3, 18), "host-2",
        ["127.99.0.6:0/99"], [new IscsiFenceTarget("iqn.2024-01.test:t1", 0, "0xbeef")]);

    public static UnfenceOrder Unfence => new("order-11", new OrderStamp(3, 20), ["vm-1", "vm-2"],
        ["127.99.0.7:0/5"], [new IscsiFenceTarget("iqn.2024-01.test:t1", 0, "0xcafe")]);

    public static OrderPollMessage OrderPoll => new(Host, 7, new OrderStamp(3, 17));

    public static VmDefinitionMessage VmDefinition => new(Host, 7, "vm-1",
        "<domain type='kvm'><name>vm-1</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid></domain>");

    public static StartVmOrder StartVm => new("order-12", new OrderStamp(3, 21), "vm-1",
        "<domain type='kvm'><name>vm-1</name></domain>", [new VolumeSpec("rbd", "rbd", "vm-1-disk0")]);

    public static StopVmOrder StopVm => new("order-13", new OrderStamp(3, 22), "vm-1");

    public static HeartbeatAck Ack => new(3, 42);

    public static TheoryData<string> AgentMessageNames => ["hello", "heartbeat", "vm-report", "fence-result", "failed-result", "self-fence", "order-poll", "vm-definition"];

    public static TheoryData<string> CoordinatorMessageNames => ["fence", "unfence", "start-vm", "stop-vm", "ack"];

    public static ProtocolMessage ByName(string name) => name switch
    {
        "hello" => Hello,
        "heartbeat" => Heartbeat,
        "vm-report" => VmReport,
        "fence-result" => FenceResult,
        "failed-result" => FailedResult,
        "self-fence" => SelfFence,
        "order-poll" => OrderPoll,
        "vm-definition" => VmDefinition,
        "fence" => Fence,
        "unfence" => Unfence,
        "start-vm" => StartVm,
        "stop-vm" => StopVm,
        "ack" => Ack,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
