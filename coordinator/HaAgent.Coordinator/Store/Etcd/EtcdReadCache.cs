using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Mvccpb;

namespace HaAgent.Coordinator.Store.Etcd;

/// <summary>
/// The API's reads on etcd, served from memory. etcd 3.4 counts every key after the cursor on each limited range,
/// so a page of 1 000 out of 200 000 VMs cost 150–220 ms there; this cache answers it in microseconds.
/// <para>
/// How it stays correct: a (re)load reads the cached prefixes at one revision R (pages pinned to R), then one watch
/// over the whole key prefix from R+1 applies every change in revision order, a transaction's changes under one lock
/// hold. Reads are served only while (a) the watch is up and etcd answered a progress request sent less than
/// <see cref="EtcdReadCacheOptions.StaleAfter"/> ago — otherwise they go to etcd, which answers or fails (503) —
/// and (b) the cache reached <see cref="EtcdCoordinatorStore.ReadBarrier"/>, the last revision this instance wrote or
/// claimed leadership at (waited for up to <see cref="EtcdReadCacheOptions.CatchUpWait"/>, then etcd). (b) gives
/// read-your-writes, and on the leader — the only writer — reads as fresh as etcd's. A follower sees the leader's
/// writes after the watch delivers them (milliseconds), never more than StaleAfter behind while it serves.
/// A compacted, cancelled or broken watch drops the cache at once (reads go to etcd) and reloads.
/// </para>
/// </summary>
internal sealed partial class EtcdReadCache : IDocumentReader, IAsyncDisposable
{
    private readonly EtcdCoordinatorStore _store;
    private readonly EtcdReadCacheOptions _options;
    private readonly string[] _prefixes;
    private readonly ILogger _logger;
    private readonly Action<StoredDocument>? _prepare;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly ByteString _watchKey;
    private readonly ByteString _watchEnd;
    private readonly byte[] _documentsPrefix;
    private Task _loop = Task.CompletedTask;
    private int _started;
    private CacheState? _state;
    private TaskCompletionSource _advanced = NewSignal();
    private long _cacheReads;
    private long _etcdReads;
    private long _loads;

    /// <param name="prepare">Runs on each document as it enters the cache, off the read path (the API pre-renders its answer).</param>
    public EtcdReadCache(EtcdCoordinatorStore store, ILogger<EtcdReadCache> logger, TimeProvider? time = null, Action<StoredDocument>? prepare = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _options = store.Options.ReadCache;
        _prefixes = _options.ParsePrefixes();
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _prepare = prepare;
        var keyPrefix = store.Options.KeyPrefix;
        _watchKey = ByteString.CopyFromUtf8(keyPrefix);
        _watchEnd = ByteString.CopyFromUtf8(keyPrefix + StoreLimits.PastLastKeyChar);
        _documentsPrefix = System.Text.Encoding.UTF8.GetBytes(store.Keys.DocumentsPrefix);
    }

    /// <summary>Reads answered from memory / sent to etcd, and (re)loads begun — for tests and the benchmark.</summary>
    public (long CacheReads, long EtcdReads, long Loads) Counters =>
        (Interlocked.Read(ref _cacheReads), Interlocked.Read(ref _etcdReads), Interlocked.Read(ref _loads));

    /// <summary>True while reads are served from memory (loaded, watch up, progress answered within the bound).</summary>
    public bool IsServing => Serving() is not null;

    /// <summary>Documents in memory and their estimated managed bytes (0 while not loaded).</summary>
    public (int Documents, long Bytes) Size => Volatile.Read(ref _state) is { } state ? (state.Index.Count, state.Index.EstimatedBytes) : (0, 0);

    /// <summary>Test hook: runs after a load at the given revision, before the watch from the next revision starts.</summary>
    internal Func<long, Task>? BeforeWatchForTesting { get; init; }

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _loop = Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>Waits until reads are served from memory; false when that did not happen within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitUntilServingAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        while (Serving() is null)
        {
            if (_time.GetElapsedTime(started) > timeout)
            {
                return false;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping is the point.
        }
        Volatile.Write(ref _state, null);
        _stop.Dispose();
    }

    public async Task<StoredDocument?> GetAsync(string key, CancellationToken cancellationToken)
    {
        StoreLimits.ValidateKey(key);
        if (Covers(key))
        {
            var ready = ReadyAsync(cancellationToken);
            var state = ready.IsCompletedSuccessfully ? ready.Result : await ready.ConfigureAwait(false);
            if (state is not null)
            {
                Interlocked.Increment(ref _cacheReads);
                return state.Index.Get(key);
            }
        }
        Interlocked.Increment(ref _etcdReads);
        return await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DocumentPage> ListAsync(string prefix, string? startAfter, int limit, CancellationToken cancellationToken)
    {
        StoreLimits.ValidatePrefix(prefix);
        StoreLimits.ValidateStartAfter(prefix, startAfter);
        StoreLimits.ValidatePageSize(limit);
        if (Covers(prefix))
        {
            var ready = ReadyAsync(cancellationToken);
            var state = ready.IsCompletedSuccessfully ? ready.Result : await ready.ConfigureAwait(false);
            if (state is not null)
            {
                Interlocked.Increment(ref _cacheReads);
                return state.Index.Page(prefix, startAfter, limit);
            }
        }
        Interlocked.Increment(ref _etcdReads);
        return await _store.ListAsync(prefix, startAfter, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A key or listing prefix lies inside one cached prefix.</summary>
    private bool Covers(string keyOrPrefix)
    {
        foreach (var prefix in _prefixes)
        {
            if (keyOrPrefix.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The state to read from if it may serve now, else null.</summary>
    private CacheState? Serving()
    {
        var state = Volatile.Read(ref _state);
        if (state is null)
        {
            return null;
        }
        var confirmedAt = Volatile.Read(ref state.ConfirmedAt);
        return confirmedAt != long.MinValue && _time.GetElapsedTime(confirmedAt) <= _options.StaleAfter ? state : null;
    }

    /// <summary>The state to read from once it reached this instance's last write; null → read etcd.</summary>
    private ValueTask<CacheState?> ReadyAsync(CancellationToken cancellationToken)
    {
        var state = Serving();
        if (state is null)
        {
            return ValueTask.FromResult<CacheState?>(null);
        }
        var barrier = _store.ReadBarrier;
        return Volatile.Read(ref state.Revision) >= barrier ? ValueTask.FromResult<CacheState?>(state) : CatchUpAsync(state, barrier, cancellationToken);
    }

    private async ValueTask<CacheState?> CatchUpAsync(CacheState state, long barrier, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            var advanced = Volatile.Read(ref _advanced);
            if (Volatile.Read(ref state.Revision) >= barrier)
            {
                return Serving() == state ? state : null;
            }
            var remaining = _options.CatchUpWait - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero || Volatile.Read(ref _state) != state)
            {
                return null;
            }
            try
            {
                await advanced.Task.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }

    private void SignalAdvanced() => Interlocked.Exchange(ref _advanced, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One loaded index, the revision every change up to which it holds, and when etcd last proved the watch alive.</summary>
    private sealed class CacheState(DocumentIndex index, long revision)
    {
        public readonly DocumentIndex Index = index;
        public long Revision = revision;

        /// <summary>Send time (TimeProvider timestamp) of the newest answered progress request; MinValue until the first answer.</summary>
        public long ConfirmedAt = long.MinValue;
    }

    private string DocumentKeyOf(ByteString etcdKey) => etcdKey.Span[_documentsPrefix.Length..].Length == 0
        ? string.Empty
        : System.Text.Encoding.UTF8.GetString(etcdKey.Span[_documentsPrefix.Length..]);

    private bool IsDocumentKey(ByteString etcdKey) => etcdKey.Span.StartsWith(_documentsPrefix);

    internal static bool IsProgress(WatchResponse response) =>
        response.Events.Count == 0 && !response.Created && !response.Canceled && response.CompactRevision == 0;

    private StoredDocument ToDocument(string key, KeyValue kv)
    {
        var document = new StoredDocument(key, kv.Value.Memory, kv.ModRevision) { Cached = true };
        _prepare?.Invoke(document);
        return document;
    }
}
