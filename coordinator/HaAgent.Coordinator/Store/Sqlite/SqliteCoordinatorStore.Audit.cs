using Microsoft.Data.Sqlite;

namespace HaAgent.Coordinator.Store.Sqlite;

internal sealed partial class SqliteCoordinatorStore
{
    public Task<long> AppendAuditAsync(Leadership leadership, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        StoreLimits.ValidateValue(payload);
        var bytes = payload.ToArray();
        return WriteAsync(leadership, transaction => InsertAudit(transaction, leadership.Epoch, bytes), cancellationToken);
    }

    /// <summary>Sequences come from the table under the write lock, and rows are never deleted: no gaps, no reuse.</summary>
    private long InsertAudit(SqliteTransaction transaction, long epoch, byte[] payload)
    {
        using var append = Command(transaction, """
            INSERT INTO audit (sequence, epoch, recorded_at_ms, payload)
            VALUES ((SELECT COALESCE(MAX(sequence), 0) + 1 FROM audit), $epoch, $at, $payload)
            RETURNING sequence
            """);
        append.Parameters.AddWithValue("$epoch", epoch);
        append.Parameters.AddWithValue("$at", NowMs);
        append.Parameters.Add("$payload", SqliteType.Blob).Value = payload;
        return (long)append.ExecuteScalar()!;
    }

    public Task<AuditPage> ReadAuditAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        StoreLimits.ValidatePageSize(limit);
        return RunAsync(() =>
        {
            using var read = Command(null, "SELECT sequence, epoch, recorded_at_ms, payload FROM audit WHERE sequence > $after ORDER BY sequence LIMIT $limit");
            read.Parameters.AddWithValue("$after", afterSequence);
            read.Parameters.AddWithValue("$limit", limit + 1);
            using var reader = read.ExecuteReader();
            var entries = new List<AuditEntry>(Math.Min(limit, 64));
            var more = false;
            while (reader.Read())
            {
                if (entries.Count == limit)
                {
                    more = true;
                    break;
                }
                entries.Add(new AuditEntry(
                    reader.GetInt64(0),
                    reader.GetInt64(1),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    (byte[])reader.GetValue(3)));
            }
            return new AuditPage(entries, more);
        }, cancellationToken);
    }
}
