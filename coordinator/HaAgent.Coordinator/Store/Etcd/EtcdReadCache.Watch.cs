using System.Collections.Concurrent;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Mvccpb;

namespace HaAgent.Coordinator.Store.Etcd;

internal sealed partial class EtcdReadCache
{
    /// <summary>Load, watch until the watch fails, drop the cache, pause, again — until disposed.</summary>
    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                Interlocked.Increment(ref _loads);
                var (index, revision) = await LoadAsync(stop).ConfigureAwait(false);
                if (index is null)
                {
                    Log.TooBig(_logger, _options.MaxBytes);
                    await Task.Delay(TimeSpan.FromMinutes(1), _time, stop).ConfigureAwait(false);
                    continue;
                }
                if (BeforeWatchForTesting is { } hook)
                {
                    await hook(revision).ConfigureAwait(false);
                }
                var reason = await WatchAsync(index, revision, stop).ConfigureAwait(false);
                Log.Reloading(_logger, reason);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A background loop: any failure means "read etcd and try again", never a dead cache or a crashed process.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.Failed(_logger, ex.GetType().Name, ex.Message);
            }
            finally
            {
                Volatile.Write(ref _state, null);
                SignalAdvanced();
            }
            try
            {
                await Task.Delay(_options.RetryDelay, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Every cached document at one revision R, pages pinned to R; null index when over the memory bound.</summary>
    private async Task<(DocumentIndex? Index, long Revision)> LoadAsync(CancellationToken stop)
    {
        var started = _time.GetTimestamp();
        var index = new DocumentIndex();
        long revision = 0;
        foreach (var prefix in _prefixes)
        {
            string? after = null;
            do
            {
                var request = new RangeRequest
                {
                    Key = after is null ? _store.Keys.Document(prefix) : ByteString.CopyFromUtf8(_store.Keys.DocumentsPrefix + after + "\0"),
                    RangeEnd = _store.Keys.DocumentsEnd(prefix),
                    Limit = _options.LoadPageSize,
                    Revision = revision,
                };
                var response = await _store.RangeForCacheAsync(request, _options.LoadCallTimeout, stop).ConfigureAwait(false);
                if (revision == 0)
                {
                    revision = response.Header.Revision;
                }
                string? last = null;
                foreach (var kv in response.Kvs)
                {
                    last = DocumentKeyOf(kv.Key);
                    index.Append(ToDocument(last, kv));
                }
                if (index.EstimatedBytes > _options.MaxBytes)
                {
                    return (null, 0);
                }
                after = response.More ? last : null;
            }
            while (after is not null);
        }
        Log.Loaded(_logger, index.Count, index.EstimatedBytes / (1024.0 * 1024.0), revision, _time.GetElapsedTime(started).TotalMilliseconds);
        return (index, revision);
    }

    /// <summary>Watches from revision+1, applying changes, until the watch cannot go on; returns why.</summary>
    private async Task<string> WatchAsync(DocumentIndex index, long revision, CancellationToken stop)
    {
        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var call = _store.OpenWatch(watchStop.Token);
        await call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = _watchKey, RangeEnd = _watchEnd, StartRevision = revision + 1 },
        }, stop).ConfigureAwait(false);
        var state = new CacheState(index, revision);
        var pending = new ConcurrentQueue<long>();
        var watchdogFired = false;
        var ticker = TickAsync(call.RequestStream, pending, () =>
        {
            watchdogFired = true;
            watchStop.Cancel();
        }, watchStop.Token);
        var changes = new List<(string Key, StoredDocument? Document)>();
        var caughtUpAt = long.MaxValue;
        try
        {
            while (await call.ResponseStream.MoveNext(watchStop.Token).ConfigureAwait(false))
            {
                var response = call.ResponseStream.Current;
                if (response.CompactRevision != 0)
                {
                    return $"the watch start revision {revision + 1} was compacted (compact revision {response.CompactRevision})";
                }
                if (response.Canceled)
                {
                    return $"etcd cancelled the watch: {response.CancelReason}";
                }
                if (response.Created)
                {
                    // Only once the watch delivered our marker's revision has it replayed everything since the load.
                    caughtUpAt = await _store.PutReadCacheMarkAsync(watchStop.Token).ConfigureAwait(false);
                    continue;
                }
                if (IsProgress(response))
                {
                    if (pending.TryDequeue(out var sentAt))
                    {
                        Volatile.Write(ref state.ConfirmedAt, sentAt);
                        Publish(state, caughtUpAt);
                    }
                    continue;
                }
                changes.Clear();
                var newest = state.Revision;
                foreach (var change in response.Events)
                {
                    var kv = change.Kv;
                    newest = Math.Max(newest, kv.ModRevision);
                    if (!IsDocumentKey(kv.Key))
                    {
                        continue;
                    }
                    var key = DocumentKeyOf(kv.Key);
                    if (Covers(key))
                    {
                        changes.Add(change.Type == Event.Types.EventType.Put ? (key, ToDocument(key, kv)) : (key, null));
                    }
                }
                if (changes.Count > 0)
                {
                    index.Apply(changes);
                    if (index.EstimatedBytes > _options.MaxBytes)
                    {
                        return $"the cache grew past its memory bound ({_options.MaxBytes} bytes)";
                    }
                }
                Volatile.Write(ref state.Revision, newest);
                SignalAdvanced();
                Publish(state, caughtUpAt);
            }
            return "etcd ended the watch stream";
        }
        catch (Exception ex) when (!stop.IsCancellationRequested && (ex is RpcException or OperationCanceledException or IOException or HttpRequestException))
        {
            return watchdogFired
                ? $"progress requests failed or went unanswered for {_options.WatchdogTimeout.TotalSeconds:F1} s"
                : $"the watch failed: {ex.GetType().Name} {ex.Message}";
        }
        finally
        {
            // Nothing may read this index once its watch is gone.
            Volatile.Write(ref _state, null);
            await watchStop.CancelAsync().ConfigureAwait(false);
            try
            {
                await ticker.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or RpcException or IOException or InvalidOperationException)
            {
                // The stream is going away anyway.
            }
        }
    }

    /// <summary>Lets reads use <paramref name="state"/> once its watch caught up and etcd answered a progress request.</summary>
    private void Publish(CacheState state, long caughtUpAt)
    {
        if (Volatile.Read(ref _state) == state || Volatile.Read(ref state.Revision) < caughtUpAt || Volatile.Read(ref state.ConfirmedAt) == long.MinValue)
        {
            return;
        }
        Volatile.Write(ref _state, state);
        Log.Serving(_logger, state.Index.Count, state.Revision);
        SignalAdvanced();
    }

    /// <summary>Sends a progress request every interval (recording its send time); fires the watchdog when answers stop or a send fails.</summary>
    private async Task TickAsync(IClientStreamWriter<WatchRequest> requests, ConcurrentQueue<long> pending, Action watchdog, CancellationToken cancellationToken)
    {
        var progress = new WatchRequest { ProgressRequest = new WatchProgressRequest() };
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (pending.TryPeek(out var oldest) && _time.GetElapsedTime(oldest) > _options.WatchdogTimeout)
                {
                    watchdog();
                    return;
                }
                pending.Enqueue(_time.GetTimestamp());
                await requests.WriteAsync(progress, cancellationToken).ConfigureAwait(false);
                await Task.Delay(_options.ProgressInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            // Without progress answers the cache stops serving anyway; tear the watch down so it reloads.
            watchdog();
        }
    }
}
