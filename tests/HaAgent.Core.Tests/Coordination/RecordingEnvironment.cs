using System.Diagnostics.CodeAnalysis;
using HaAgent.Core.Env;
using HaAgent.Core.Observations;
using Microsoft.Extensions.Time.Testing;

namespace HaAgent.Core.Tests.Coordination;

/// <summary>A hand-driven environment: the test feeds observations and storage heartbeats and reads what was ordered.</summary>
internal sealed class RecordingEnvironment : IHaEnvironment
{
    private readonly Queue<Observation> _inbox = new();
    private readonly Dictionary<string, StorageHeartbeat> _storage = new(StringComparer.Ordinal);

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public TimeProvider Time => Clock;
    public long Epoch { get; set; } = 1;
    public List<FenceOrder> Fences { get; } = [];
    public List<UnfenceOrder> Unfences { get; } = [];
    public List<VmStartOrder> Starts { get; } = [];
    public List<VmStopOrder> Stops { get; } = [];
    public List<AuditRecord> Audits { get; } = [];

    public DateTimeOffset Now => Clock.GetUtcNow();

    public void Observe(Observation observation) => _inbox.Enqueue(observation);

    public void WriteStorage(string hostId, long sequence) =>
        _storage[hostId] = new StorageHeartbeat(hostId, 1, sequence, Now, Epoch);

    public bool TryTakeObservation([NotNullWhen(true)] out Observation? observation) => _inbox.TryDequeue(out observation);

    public bool TryReadStorageHeartbeat(string hostId, out StorageHeartbeat heartbeat) => _storage.TryGetValue(hostId, out heartbeat);

    public void OrderFence(FenceOrder order) => Fences.Add(order);

    public void OrderUnfence(UnfenceOrder order) => Unfences.Add(order);

    public void OrderStart(VmStartOrder order) => Starts.Add(order);

    public void OrderStop(VmStopOrder order) => Stops.Add(order);

    public void Audit(AuditRecord record) => Audits.Add(record);
}
