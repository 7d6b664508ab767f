using HaAgent.Agent.Link;
using HaAgent.Agent.Vms;
using HaAgent.Protocol.Messages;
using HaAgent.Protocol.Validation;
using ProtocolVmStatus = HaAgent.Protocol.Messages.VmStatus;
using WatcherVmStatus = HaAgent.Agent.Vms.VmStatus;

namespace HaAgent.Agent.Tests.Reports;

/// <summary>The watcher's table as the coordinator sees it: a live VM without a known QEMU goes without a pid, not with a placeholder.</summary>
public sealed class VmReportMappingTests
{
    private static VmEntry Entry(string name, WatcherVmStatus status, int? pid) =>
        new(name, Guid.NewGuid(), status, pid, DateTimeOffset.UnixEpoch, "test");

    [Fact]
    public void Report_LiveVmsWithAndWithoutQemu_PidOnlyWhenKnown()
    {
        var report = AgentLink.Report(
        [
            Entry("ha-test-driver", WatcherVmStatus.Running, null),
            Entry("ha-qemu", WatcherVmStatus.Running, 4242),
            Entry("ha-paused", WatcherVmStatus.Paused, null),
            Entry("ha-frozen", WatcherVmStatus.Hung, null),
            Entry("ha-preserved", WatcherVmStatus.Crashed, 77),
            Entry("ha-crashed", WatcherVmStatus.Crashed, null),
            Entry("ha-off", WatcherVmStatus.Stopped, null),
            Entry("ha-new", WatcherVmStatus.Unknown, null),
        ]);

        Assert.Equal(
        [
            new ProtocolVmStatus("ha-test-driver", VmRunState.Running, null),
            new ProtocolVmStatus("ha-qemu", VmRunState.Running, 4242),
            new ProtocolVmStatus("ha-paused", VmRunState.Running, null),
            new ProtocolVmStatus("ha-frozen", VmRunState.Hung, null),
            new ProtocolVmStatus("ha-preserved", VmRunState.Hung, 77),
            new ProtocolVmStatus("ha-crashed", VmRunState.Crashed, null),
            new ProtocolVmStatus("ha-off", VmRunState.Stopped, null),
        ], report);
        // What the coordinator's codec checks: the whole report is valid as sent.
        Assert.Null(MessageValidator.FirstInvalidField(new VmReportMessage("host-a", 1, report)));
    }
}
