using System.Text;
using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>
/// A real store whose audit reads leave out the entries containing <see cref="HideContaining"/>: the engine then sees
/// a hole in the feed, as if entries were lost (neither real store can produce one).
/// </summary>
internal sealed class HidingAuditStore(ICoordinatorStore inner) : ICoordinatorStore
{
    public string? HideContaining { get; set; }

    public string InstanceId => inner.InstanceId;

    public Leadership? CurrentLeadership => inner.CurrentLeadership;

    public Task<Leadership?> TryAcquireLeadershipAsync(CancellationToken cancellationToken) => inner.TryAcquireLeadershipAsync(cancellationToken);

    public Task<Leadership> CampaignAsync(CancellationToken cancellationToken) => inner.CampaignAsync(cancellationToken);

    public Task<LeaderInfo?> GetLeaderAsync(CancellationToken cancellationToken) => inner.GetLeaderAsync(cancellationToken);

    public Task ResignAsync(Leadership leadership, CancellationToken cancellationToken) => inner.ResignAsync(leadership, cancellationToken);

    public Task<StoredDocument?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    public Task<DocumentPage> ListAsync(string prefix, string? startAfter, int limit, CancellationToken cancellationToken) =>
        inner.ListAsync(prefix, startAfter, limit, cancellationToken);

    public Task<WriteResult> PutAsync(Leadership leadership, string key, ReadOnlyMemory<byte> value, long? expectedVersion, CancellationToken cancellationToken) =>
        inner.PutAsync(leadership, key, value, expectedVersion, cancellationToken);

    public Task<WriteResult> DeleteAsync(Leadership leadership, string key, long? expectedVersion, CancellationToken cancellationToken) =>
        inner.DeleteAsync(leadership, key, expectedVersion, cancellationToken);

    public Task<CommitResult> CommitAsync(Leadership leadership, IReadOnlyList<DocumentWrite> writes, ReadOnlyMemory<byte>? audit, CancellationToken cancellationToken) =>
        inner.CommitAsync(leadership, writes, audit, cancellationToken);

    public Task<long> AppendAuditAsync(Leadership leadership, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        inner.AppendAuditAsync(leadership, payload, cancellationToken);

    public async Task<AuditPage> ReadAuditAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        var page = await inner.ReadAuditAsync(afterSequence, limit, cancellationToken);
        var hide = HideContaining;
        return hide is null
            ? page
            : page with { Entries = [.. page.Entries.Where(e => !Encoding.UTF8.GetString(e.Payload.Span).Contains(hide, StringComparison.Ordinal))] };
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the inner store belongs to the test
}
