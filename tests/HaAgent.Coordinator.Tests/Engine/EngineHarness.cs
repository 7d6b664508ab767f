using System.Text;
using System.Text.Json;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Coordinator.Engine.Metrics;
using HaAgent.Coordinator.Engine.Storage;
using HaAgent.Coordinator.Store;
using HaAgent.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>
/// A real engine on a real store, driven like a cluster of fake agents: the test speaks the protocol through the
/// engine's message sink and reads what it orders from a recording outbox. The engine's clock is a FakeTimeProvider
/// the test advances one second per tick; the store's lease runs on real time.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public static readonly string[] Hosts = ["h1", "h2", "h3"];
    public const string DomainXml = "<domain type='kvm'><name>vm1</name><uuid>5d6c1a3e-0000-4000-8000-000000000001</uuid></domain>";

    private readonly CancellationTokenSource _stop = new();

    private EngineHarness(ICoordinatorStore store, Leadership leadership, FakeTimeProvider time, MemoryHeartbeatSource storage)
    {
        Store = store;
        Leadership = leadership;
        Time = time;
        Storage = storage;
        Monitor = new StorageHeartbeatMonitor([storage], TimeSpan.FromSeconds(1), time, NullLogger.Instance);
        Engine = EngineSetup.Engine(store, Sink, Outbox, Monitor, Metrics, time);
    }

    public ICoordinatorStore Store { get; }

    public Leadership Leadership { get; }

    public FakeTimeProvider Time { get; }

    public MemoryHeartbeatSource Storage { get; }

    public StorageHeartbeatMonitor Monitor { get; }

    public AgentMessageSink Sink { get; } = new();

    public RecordingOutbox Outbox { get; } = new();

    public EngineMetrics Metrics { get; } = new();

    public CoordinatorEngine Engine { get; }

    /// <summary>False: nothing is ever written to storage (a deployment without a storage heartbeat).</summary>
    public bool WriteStorage { get; set; } = true;

    public static async Task<EngineHarness> StartAsync(ICoordinatorStore store, FakeTimeProvider? time = null, MemoryHeartbeatSource? storage = null, double startSeconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var leadership = await store.CampaignAsync(timeout.Token);
        var harness = new EngineHarness(store, leadership, time ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)), storage ?? new MemoryHeartbeatSource());
        harness.Monitor.SetHosts(Hosts);
        await harness.Engine.StartAsync(harness._stop.Token);
        await WaitUntilAsync(() => harness.Engine.Core is not null && harness.Engine.Steps > 0, "the engine built its core and stepped", startSeconds);
        return harness;
    }

    /// <summary>Three hosts and one protected VM with a Ceph volume, as the API would store them.</summary>
    public static async Task SeedAsync(ICoordinatorStore store, bool withDefinition = true, string vmId = "vm1")
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var leadership = await store.CampaignAsync(timeout.Token);
        var writes = new List<DocumentWrite>();
        foreach (var host in Hosts)
        {
            writes.Add(DocumentWrite.Put(ApiStore.HostsPrefix + host, JsonSerializer.SerializeToUtf8Bytes(
                new HostDocument(host, 16, 65536, "r-" + host, "p1", "z1", false), ApiJsonContext.Default.HostDocument)));
        }
        writes.Add(DocumentWrite.Put(ApiStore.VmsPrefix + vmId, JsonSerializer.SerializeToUtf8Bytes(
            new VmDocument(vmId, 2, 2048, ["ceph:rbd/" + vmId], 0, null, true, null), ApiJsonContext.Default.VmDocument)));
        if (withDefinition)
        {
            writes.Add(DocumentWrite.Put(CoordinatorEngine.DefinitionsPrefix + vmId, Encoding.UTF8.GetBytes(DomainXml.Replace("vm1", vmId, StringComparison.Ordinal))));
        }
        var result = await store.CommitAsync(leadership, writes, null, timeout.Token);
        Assert.True(result.Committed);
    }

    public static string Address(string host) => $"127.0.0.{11 + Array.IndexOf(Hosts, host)}:0/{1001 + Array.IndexOf(Hosts, host)}";

    public DateTimeOffset Now => Time.GetUtcNow();

    public void Hello(string host) =>
        Sink.Accept(new HelloMessage(host, 1, "test", [], new FenceIdentity([Address(host)], null)), Now);

    public void Report(string host, params string[] running) =>
        Sink.Accept(new VmReportMessage(host, 1, [.. running.Select(static vm => new VmStatus(vm, VmRunState.Running, 4242))]), Now);

    public void Result(string host, AgentOrder order, OrderOutcome outcome, HaAgent.Protocol.Messages.CephBlocklistEvidence? ceph = null, OrderStamp? stamp = null, string? orderId = null) =>
        Sink.Accept(new OrderResultMessage(host, 1, orderId ?? order.OrderId, stamp ?? order.Stamp, outcome, ceph, [],
            outcome == OrderOutcome.Succeeded ? null : FailureKind.HypervisorError, outcome == OrderOutcome.Succeeded ? null : "test failure"), Now);

    /// <summary>One second passes: the alive hosts heartbeat on the network and on storage; then two whole steps run.</summary>
    public async Task TickAsync(params string[] alive)
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        foreach (var host in alive)
        {
            Sink.Accept(new HeartbeatMessage(host, 1, 0, default), Now);
            if (WriteStorage)
            {
                Storage.Write(host, Now);
            }
        }
        Monitor.ReadOnce(CancellationToken.None);
        await StepsAsync(2);
    }

    public async Task StepsAsync(int steps)
    {
        var target = Engine.Steps + steps;
        await WaitUntilAsync(() => Engine.Steps >= target, $"{steps} more engine steps");
    }

    /// <summary>Ticks until <paramref name="condition"/> holds (at most <paramref name="maxTicks"/> simulated seconds).</summary>
    public async Task TickUntilAsync(Func<bool> condition, string what, int maxTicks, params string[] alive)
    {
        for (var i = 0; i < maxTicks && !condition(); i++)
        {
            await TickAsync(alive);
        }
        Assert.True(condition(), $"not reached within {maxTicks} simulated seconds: {what}");
    }

    /// <summary>
    /// Ticks until <paramref name="condition"/> holds, at least <paramref name="realSeconds"/> of real time allowed:
    /// for what waits on a real-time poll (API changes are read from the audit log every ChangePollPeriod).
    /// </summary>
    public async Task TickUntilRealAsync(Func<bool> condition, string what, double realSeconds, params string[] alive)
    {
        var deadline = DateTime.UtcNow.AddSeconds(realSeconds);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await TickAsync(alive);
            await Task.Delay(20);
        }
        Assert.True(condition(), $"not reached within {realSeconds} s: {what}");
    }

    /// <summary>Every decision the engine committed to the audit log, oldest first.</summary>
    public async Task<List<EngineAuditRecordDocument>> EngineAuditAsync()
    {
        var records = new List<EngineAuditRecordDocument>();
        long after = 0;
        while (true)
        {
            var page = await Store.ReadAuditAsync(after, 1000, CancellationToken.None);
            foreach (var entry in page.Entries)
            {
                after = entry.Sequence;
                if (Encoding.UTF8.GetString(entry.Payload.Span).StartsWith("{\"action\":\"engine.step\"", StringComparison.Ordinal))
                {
                    records.AddRange(JsonSerializer.Deserialize(entry.Payload.Span, EngineJsonContext.Default.EngineAuditDocument)!.Records);
                }
            }
            if (!page.HasMore)
            {
                return records;
            }
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {seconds} s waiting for: {what}");
            }
            await Task.Delay(10);
        }
    }

    public async Task StopEngineAsync()
    {
        await _stop.CancelAsync();
        await Engine.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await StopEngineAsync();
        Engine.Dispose();
        Monitor.Dispose();
        _stop.Dispose();
    }
}
