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
        return ReadAsync(reader => reader.ReadAudit(afterSequence, limit), cancellationToken);
    }
}
