using Microsoft.Data.Sqlite;

namespace HaAgent.Coordinator.Store.Sqlite;

/// <summary>
/// One connection of the store's read pool with its statements prepared once. In WAL mode readers never wait for
/// the writer, so API reads neither queue behind each other on one connection nor behind a write's fsync; each
/// statement runs in its own read transaction, so it sees every write committed before it started.
/// </summary>
internal sealed class SqliteReadConnection : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _get;
    private readonly SqliteCommand _listFrom;
    private readonly SqliteCommand _listAfter;
    private readonly SqliteCommand _audit;

    public SqliteReadConnection(string connectionString, int busyTimeoutMs)
    {
        _connection = new SqliteConnection(connectionString);
        try
        {
            _connection.Open();
            using (var pragma = _connection.CreateCommand())
            {
                // Defence in depth: nothing on this connection can write, whatever a future caller sends.
                pragma.CommandText = $"PRAGMA query_only = 1; PRAGMA busy_timeout = {busyTimeoutMs};";
                pragma.ExecuteNonQuery();
            }
            _get = Prepare("SELECT value, version FROM documents WHERE key = $key", "$key");
            _listFrom = Prepare("SELECT key, value, version FROM documents WHERE key >= $from AND key < $end ORDER BY key LIMIT $limit", "$from", "$end", "$limit");
            _listAfter = Prepare("SELECT key, value, version FROM documents WHERE key > $from AND key < $end ORDER BY key LIMIT $limit", "$from", "$end", "$limit");
            _audit = Prepare("SELECT sequence, epoch, recorded_at_ms, payload FROM audit WHERE sequence > $after ORDER BY sequence LIMIT $limit", "$after", "$limit");
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public StoredDocument? Get(string key)
    {
        _get.Parameters[0].Value = key;
        using var reader = _get.ExecuteReader();
        return reader.Read() ? new StoredDocument(key, (byte[])reader.GetValue(0), reader.GetInt64(1)) : null;
    }

    public DocumentPage List(string prefix, string? startAfter, int limit)
    {
        var command = startAfter is null ? _listFrom : _listAfter;
        command.Parameters[0].Value = startAfter ?? prefix;
        command.Parameters[1].Value = prefix + StoreLimits.PastLastKeyChar;
        command.Parameters[2].Value = limit + 1;
        using var reader = command.ExecuteReader();
        var documents = new List<StoredDocument>(Math.Min(limit, 1024));
        var more = false;
        while (reader.Read())
        {
            if (documents.Count == limit)
            {
                more = true;
                break;
            }
            documents.Add(new StoredDocument(reader.GetString(0), (byte[])reader.GetValue(1), reader.GetInt64(2)));
        }
        return new DocumentPage(documents, more ? documents[^1].Key : null);
    }

    public AuditPage ReadAudit(long afterSequence, int limit)
    {
        _audit.Parameters[0].Value = afterSequence;
        _audit.Parameters[1].Value = limit + 1;
        using var reader = _audit.ExecuteReader();
        var entries = new List<AuditEntry>(Math.Min(limit, 1024));
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
    }

    public void Dispose()
    {
        _get.Dispose();
        _listFrom.Dispose();
        _listAfter.Dispose();
        _audit.Dispose();
        _connection.Dispose();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        command.Prepare();
        return command;
    }
}
