using System.Globalization;
using System.Text.Json;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Coordinator.Store;
using HaAgent.Core.Env;

namespace HaAgent.Coordinator.Engine;

internal sealed partial class CoordinatorEngine
{
    /// <summary>Below the store's 1 MiB value limit with room for the envelope.</summary>
    private const int MaxAuditPayloadBytes = 900 * 1024;

    private static readonly string[] KindNames = [.. Enum.GetValues<AuditKind>().Select(static k => JsonNamingPolicy.KebabCaseLower.ConvertName(k.ToString()))];

    /// <summary>
    /// Commits the records decided since the last commit with the snapshot they led to, in one fenced transaction
    /// (a step so large its records exceed one audit value appends the first parts alone, before: records may then
    /// exist without their state, never state without its records). False when the store says another instance
    /// leads. A store that does not answer keeps everything pending: no order goes out until its records are
    /// committed, and the next step tries again with the newer snapshot.
    /// </summary>
    private async Task<bool> CommitAsync(CoordinatorEnvironment env, CancellationToken cancellationToken)
    {
        if (env.PendingAudit.Count == 0)
        {
            return true;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var leadership = env.Leadership;
        var records = env.PendingAudit;
        var chunks = AuditChunks(records, leadership.Epoch);
        var writes = SnapshotWrites(leadership.Epoch, out var shardUpdates);
        try
        {
            for (var i = 0; i < chunks.Count - 1; i++)
            {
                await _store.AppendAuditAsync(leadership, chunks[i], cancellationToken).ConfigureAwait(false);
            }
            var result = await _store.CommitAsync(leadership, writes, chunks[^1], cancellationToken).ConfigureAwait(false);
            if (!result.Committed)
            {
                // No write carries an expected version, so this cannot happen; treat it like an unanswered store.
                throw new StoreUnavailableException($"snapshot commit not applied: {string.Join(", ", result.Conflicts.Select(static c => c.Key))}");
            }
        }
        catch (NotLeaderException)
        {
            Refused(leadership);
            return false;
        }
        catch (StoreUnavailableException e)
        {
            Log.StoreUnavailable(_logger, e.Message);
            return !leadership.IsLost;
        }
        foreach (var (index, bytes) in shardUpdates)
        {
            _term.ShardBytes[index] = bytes;
        }
        _metrics.RecordDecisions(records);
        records.Clear();
        LastCommit = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        return true;
    }

    private static List<byte[]> AuditChunks(List<AuditRecord> records, long epoch)
    {
        var documents = records.Select(static r => new EngineAuditRecordDocument(r.Time, KindNames[(int)r.Kind], r.Subject, r.Decision, r.Evidence)).ToList();
        var chunks = new List<byte[]>();
        var start = 0;
        while (start < documents.Count)
        {
            var count = documents.Count - start;
            while (true)
            {
                var bytes = JsonSerializer.SerializeToUtf8Bytes(
                    new EngineAuditDocument(EngineAuditDocument.StepAction, epoch, documents.GetRange(start, count)),
                    EngineJsonContext.Default.EngineAuditDocument);
                if (bytes.Length <= MaxAuditPayloadBytes || count == 1)
                {
                    chunks.Add(bytes);
                    break;
                }
                count /= 2;
            }
            start += count;
        }
        return chunks;
    }

    /// <summary><c>engine/snapshot</c> plus each placement shard whose bytes changed since the last commit.</summary>
    private List<DocumentWrite> SnapshotWrites(long epoch, out List<(int Index, byte[] Bytes)> shardUpdates)
    {
        var (placement, fenced, released) = _core!.Snapshot();
        var shards = new Dictionary<string, string>[PlacementShardCount];
        for (var i = 0; i < shards.Length; i++)
        {
            shards[i] = new Dictionary<string, string>(StringComparer.Ordinal);
        }
        foreach (var (vmId, hostId) in placement)
        {
            shards[ShardOf(vmId)][vmId] = hostId;
        }
        var writes = new List<DocumentWrite>();
        shardUpdates = [];
        for (var i = 0; i < shards.Length; i++)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(shards[i], EngineJsonContext.Default.DictionaryStringString);
            if (_term.ShardBytes[i] is { } previous && previous.AsSpan().SequenceEqual(bytes))
            {
                continue;
            }
            var key = PlacementPrefix + i.ToString("D2", CultureInfo.InvariantCulture);
            writes.Add(DocumentWrite.Put(key, bytes));
            shardUpdates.Add((i, bytes));
        }
        var snapshot = new SnapshotDocument(
            SnapshotDocument.CurrentFormatVersion,
            epoch,
            _term.FeedAfter,
            PlacementShardCount,
            fenced.ToDictionary(static f => f.Key, static f => f.Value.Select(ToDocument).ToList(), StringComparer.Ordinal),
            [.. released]);
        writes.Add(DocumentWrite.Put(SnapshotKey, JsonSerializer.SerializeToUtf8Bytes(snapshot, EngineJsonContext.Default.SnapshotDocument)));
        return writes;
    }

    /// <summary>FNV-1a over the id's UTF-16 code units: stable across processes and versions (string.GetHashCode is not).</summary>
    internal static int ShardOf(string vmId)
    {
        var hash = 2166136261u;
        foreach (var c in vmId)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash % PlacementShardCount);
    }
}
