using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace HaAgent.Coordinator.Store.Sqlite;

/// <summary>
/// The zero-setup store: one SQLite file in WAL mode, for one coordinator (several processes on the same file still
/// exclude each other through the persisted lease). The epoch is a persisted counter bumped at every acquire; every
/// write runs in a BEGIN IMMEDIATE transaction that first checks the persisted epoch, holder and lease expiry are
/// still ours, so a write and a takeover can never interleave. synchronous=FULL: an acquired epoch must survive power
/// loss, or a restarted coordinator could hand out an epoch agents have already seen. Document and audit reads go
/// through a small pool of read connections (WAL readers run beside the writer), so API reads scale with cores and
/// never wait behind a write's fsync; leadership reads and all writes stay on the one write connection.
/// </summary>
internal sealed partial class SqliteCoordinatorStore : ICoordinatorStore
{
    private const int SchemaVersion = 1;
    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _readConnectionString;
    private readonly int _readers;
    private readonly SemaphoreSlim _readerSlots;
    private readonly ConcurrentBag<SqliteReadConnection> _idleReaders = [];
    private bool _disposed;

    private SqliteCoordinatorStore(SqliteStoreOptions options, TimeProvider time, SqliteConnection connection, string readConnectionString)
    {
        _options = options;
        _time = time;
        _connection = connection;
        _readConnectionString = readConnectionString;
        _readers = Math.Clamp(Environment.ProcessorCount, 2, 8);
        _readerSlots = new SemaphoreSlim(_readers, _readers);
    }

    public string InstanceId => _options.InstanceId;

    /// <summary>Opens (creating file and schema when missing) the database at <see cref="SqliteStoreOptions.Path"/>.</summary>
    public static SqliteCoordinatorStore Open(SqliteStoreOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.InstanceId);
        if (options.LeaseTtl < TimeSpan.FromMilliseconds(300))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LeaseTtl, "LeaseTtl must be at least 300 ms to leave room for renewals");
        }
        if (options.ExpiryMargin < TimeSpan.Zero || options.ExpiryMargin >= options.LeaseTtl / 3)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ExpiryMargin, "ExpiryMargin must be between 0 and a third of LeaseTtl");
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            Execute(connection, null, string.Create(CultureInfo.InvariantCulture, $"""
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                PRAGMA busy_timeout = {(int)options.BusyTimeout.TotalMilliseconds};
                """));
            using (var transaction = connection.BeginTransaction())
            {
                Execute(connection, transaction, $"""
                    CREATE TABLE IF NOT EXISTS leadership (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        holder TEXT,
                        epoch INTEGER NOT NULL,
                        expires_at_ms INTEGER NOT NULL);
                    INSERT OR IGNORE INTO leadership VALUES (1, NULL, 0, 0);
                    CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                    INSERT OR IGNORE INTO counters VALUES ('revision', 0);
                    CREATE TABLE IF NOT EXISTS documents (
                        key TEXT PRIMARY KEY,
                        value BLOB NOT NULL,
                        version INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE TABLE IF NOT EXISTS audit (
                        sequence INTEGER PRIMARY KEY,
                        epoch INTEGER NOT NULL,
                        recorded_at_ms INTEGER NOT NULL,
                        payload BLOB NOT NULL);
                    PRAGMA user_version = {SchemaVersion};
                    """);
                transaction.Commit();
            }
            builder.Mode = SqliteOpenMode.ReadWrite;
            return new SqliteCoordinatorStore(options, time ?? TimeProvider.System, connection, builder.ConnectionString);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        // Even a term already lost locally may still hold the key or row; the guarded delete frees it only if so.
        if (_current is { LossReason: not LeadershipLossReason.Resigned } leadership)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_options.BusyTimeout);
                await ResignAsync(leadership, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StoreUnavailableException or OperationCanceledException or SqliteException)
            {
                // The lease runs out by itself; resigning only spares the successor the wait.
            }
        }
        _disposed = true;
        StopRenewal();
        _current?.MarkLost(LeadershipLossReason.StoreDisposed);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
        // Every slot taken back = no read still running; then the idle connections are all there is.
        for (var i = 0; i < _readers; i++)
        {
            await _readerSlots.WaitAsync().ConfigureAwait(false);
        }
        while (_idleReaders.TryTake(out var reader))
        {
            reader.Dispose();
        }
        // A read that slipped past the first disposed check wakes up and meets the second one.
        _readerSlots.Release(_readers);
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Runs <paramref name="body"/> alone on the connection; SQLite's busy and I/O failures become <see cref="StoreUnavailableException"/>.</summary>
    private async Task<T> RunAsync<T>(Func<T> body, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return body();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED or SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_FULL)
        {
            throw new StoreUnavailableException($"SQLite store {_options.Path}: {ex.Message}", ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs a read on a pooled read connection (opened on first need); failures as in <see cref="RunAsync{T}"/>.</summary>
    private async Task<T> ReadAsync<T>(Func<SqliteReadConnection, T> body, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _readerSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        SqliteReadConnection? reader = null;
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_idleReaders.TryTake(out reader))
            {
                reader = new SqliteReadConnection(_readConnectionString, (int)_options.BusyTimeout.TotalMilliseconds);
            }
            return body(reader);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED or SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_CANTOPEN)
        {
            // A connection that failed mid-statement is not trusted again.
            reader?.Dispose();
            reader = null;
            throw new StoreUnavailableException($"SQLite store {_options.Path}: {ex.Message}", ex);
        }
        finally
        {
            if (reader is not null)
            {
                _idleReaders.Add(reader);
            }
            _readerSlots.Release();
        }
    }

    /// <summary>
    /// A write transaction that first proves <paramref name="leadership"/> is still the persisted one; BEGIN IMMEDIATE
    /// holds the write lock from the check to the commit, so no takeover can slip in between.
    /// </summary>
    private Task<T> WriteAsync<T>(Leadership leadership, Func<SqliteTransaction, T> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        if (!ReferenceEquals(leadership.Owner, this))
        {
            throw new ArgumentException("this leadership was acquired through another store instance", nameof(leadership));
        }
        leadership.ThrowIfLost();
        return RunAsync(() =>
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            using (var check = Command(transaction, "SELECT holder, epoch, expires_at_ms FROM leadership WHERE id = 1"))
            using (var reader = check.ExecuteReader())
            {
                reader.Read();
                var holder = reader.IsDBNull(0) ? null : reader.GetString(0);
                if (holder != leadership.InstanceId || reader.GetInt64(1) != leadership.Epoch || reader.GetInt64(2) <= NowMs)
                {
                    throw new NotLeaderException(leadership.InstanceId, leadership.Epoch);
                }
            }
            var result = body(transaction);
            transaction.Commit();
            return result;
        }, cancellationToken);
    }

    private long NextRevision(SqliteTransaction transaction)
    {
        using var command = Command(transaction, "UPDATE counters SET value = value + 1 WHERE name = 'revision' RETURNING value");
        return (long)command.ExecuteScalar()!;
    }

    private SqliteCommand Command(SqliteTransaction? transaction, string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
