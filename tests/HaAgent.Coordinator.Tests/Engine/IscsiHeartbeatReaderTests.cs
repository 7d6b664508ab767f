using HaAgent.Coordinator.Engine.Storage;
using HaAgent.Coordinator.Engine;
using HaAgent.NativeInterop.Iscsi;
using HaAgent.Protocol.StorageHeartbeat;
using HaAgent.Testing.Iscsi;
using HaAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>The engine's reader of the shared heartbeat LUN against a real iSCSI target (tgtd).</summary>
public sealed class IscsiHeartbeatReaderTests
{
    [SkippableFact]
    public async Task ReadOnce_SlotsWrittenWithAgentsCodec_EveryConfiguredHostRead()
    {
        Requires.Library("libiscsi.so.7", "libiscsi7");
        await using var target = await TgtTarget.StartAsync();
        var written = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        using (var writer = IscsiSession.Connect(target.Portal, target.TargetIqn, 1, "iqn.2026-11.lab.haagent:agent-writer", TimeSpan.FromSeconds(5)))
        {
            WriteSlot(writer, 3, new HeartbeatRecord("hostA", 11, 7, written, 2, null, null));
            // Far from slot 3: the reader needs a second read for it.
            WriteSlot(writer, 700, new HeartbeatRecord("hostB", 12, 9, written, 2, written, null));
        }
        using var monitor = new StorageHeartbeatMonitor(
            [new IscsiHeartbeatSource(new IscsiHeartbeatOptions
            {
                Portal = target.Portal,
                TargetIqn = target.TargetIqn,
                Lun = 1,
                InitiatorIqn = "iqn.2026-11.lab.haagent:coordinator",
                Slots = new Dictionary<string, int>(StringComparer.Ordinal) { ["hostA"] = 3, ["hostB"] = 700, ["hostC"] = 4 },
            })],
            TimeSpan.FromSeconds(1),
            TimeProvider.System,
            NullLogger.Instance);
        monitor.SetHosts(["hostA", "hostB", "hostC", "not-configured"]);

        monitor.ReadOnce(CancellationToken.None);

        Assert.True(monitor.TryRead("hostA", out var a));
        Assert.Equal((11L, 7L), (a.Incarnation, a.Sequence));
        Assert.True(monitor.TryRead("hostB", out var b));
        Assert.Equal((12L, 9L), (b.Incarnation, b.Sequence));
        Assert.False(monitor.TryRead("hostC", out _)); // never written: an all-zero slot is no heartbeat
        Assert.True(monitor.TryTakeSelfFence(out var selfFence));
        Assert.Equal("hostB", selfFence.HostId);
    }

    private static void WriteSlot(IscsiSession session, int slot, HeartbeatRecord record)
    {
        var blockSize = session.Capacity.BlockSize;
        var blocksPerSlot = (HeartbeatCodec.RecordSize + blockSize - 1) / blockSize;
        var block = new byte[blocksPerSlot * blockSize];
        HeartbeatCodec.Write(record, block);
        session.WriteBlocks((ulong)slot * (ulong)blocksPerSlot, block);
    }
}
