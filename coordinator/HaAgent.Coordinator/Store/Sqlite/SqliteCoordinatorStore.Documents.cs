using Microsoft.Data.Sqlite;

namespace HaAgent.Coordinator.Store.Sqlite;

internal sealed partial class SqliteCoordinatorStore
{
    public Task<StoredDocument?> GetAsync(string key, CancellationToken cancellationToken)
    {
        StoreLimits.ValidateKey(key);
        return ReadAsync(reader => reader.Get(key), cancellationToken);
    }

    public Task<DocumentPage> ListAsync(string prefix, string? startAfter, int limit, CancellationToken cancellationToken)
    {
        StoreLimits.ValidatePrefix(prefix);
        StoreLimits.ValidateStartAfter(prefix, startAfter);
        StoreLimits.ValidatePageSize(limit);
        return ReadAsync(reader => reader.List(prefix, startAfter, limit), cancellationToken);
    }

    public Task<WriteResult> PutAsync(Leadership leadership, string key, ReadOnlyMemory<byte> value, long? expectedVersion, CancellationToken cancellationToken)
    {
        StoreLimits.ValidateKey(key);
        StoreLimits.ValidateValue(value);
        StoreLimits.ValidateExpectedVersion(expectedVersion);
        var bytes = value.ToArray();
        return WriteAsync(leadership, transaction =>
        {
            var current = CurrentVersion(transaction, key);
            if (expectedVersion is { } expected && expected != current)
            {
                return new WriteResult(WriteOutcome.VersionConflict, current);
            }
            var revision = NextRevision(transaction);
            Upsert(transaction, key, bytes, revision);
            return new WriteResult(WriteOutcome.Written, revision);
        }, cancellationToken);
    }

    public Task<WriteResult> DeleteAsync(Leadership leadership, string key, long? expectedVersion, CancellationToken cancellationToken)
    {
        StoreLimits.ValidateKey(key);
        StoreLimits.ValidateExpectedVersion(expectedVersion);
        return WriteAsync(leadership, transaction =>
        {
            var current = CurrentVersion(transaction, key);
            if (expectedVersion is { } expected && expected != current)
            {
                return new WriteResult(WriteOutcome.VersionConflict, current);
            }
            if (current == 0)
            {
                return new WriteResult(WriteOutcome.NotFound, 0);
            }
            var revision = NextRevision(transaction);
            Remove(transaction, key);
            return new WriteResult(WriteOutcome.Deleted, revision);
        }, cancellationToken);
    }

    public Task<CommitResult> CommitAsync(Leadership leadership, IReadOnlyList<DocumentWrite> writes, ReadOnlyMemory<byte>? audit, CancellationToken cancellationToken)
    {
        StoreLimits.ValidateBatch(writes, audit);
        var batch = writes.Select(w => (w.Key, Value: w.Value?.ToArray(), w.ExpectedVersion)).ToArray();
        var auditBytes = audit?.ToArray();
        return WriteAsync(leadership, transaction =>
        {
            var conflicts = new List<VersionConflict>();
            foreach (var write in batch)
            {
                if (write.ExpectedVersion is { } expected && CurrentVersion(transaction, write.Key) is var current && current != expected)
                {
                    conflicts.Add(new VersionConflict(write.Key, current));
                }
            }
            if (conflicts.Count > 0)
            {
                return new CommitResult(false, 0, null, conflicts);
            }
            var revision = NextRevision(transaction);
            foreach (var write in batch)
            {
                if (write.Value is { } value)
                {
                    Upsert(transaction, write.Key, value, revision);
                }
                else
                {
                    Remove(transaction, write.Key);
                }
            }
            long? sequence = auditBytes is null ? null : InsertAudit(transaction, leadership.Epoch, auditBytes);
            return new CommitResult(true, revision, sequence, []);
        }, cancellationToken);
    }

    private void Upsert(SqliteTransaction transaction, string key, byte[] value, long revision)
    {
        using var write = Command(transaction, """
            INSERT INTO documents (key, value, version) VALUES ($key, $value, $version)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version
            """);
        write.Parameters.AddWithValue("$key", key);
        write.Parameters.Add("$value", SqliteType.Blob).Value = value;
        write.Parameters.AddWithValue("$version", revision);
        write.ExecuteNonQuery();
    }

    private void Remove(SqliteTransaction transaction, string key)
    {
        using var delete = Command(transaction, "DELETE FROM documents WHERE key = $key");
        delete.Parameters.AddWithValue("$key", key);
        delete.ExecuteNonQuery();
    }

    private long CurrentVersion(SqliteTransaction transaction, string key)
    {
        using var read = Command(transaction, "SELECT version FROM documents WHERE key = $key");
        read.Parameters.AddWithValue("$key", key);
        return read.ExecuteScalar() is long version ? version : 0;
    }
}
