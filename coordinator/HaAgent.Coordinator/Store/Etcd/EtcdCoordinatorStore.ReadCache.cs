using Etcdserverpb;
using Grpc.Core;

namespace HaAgent.Coordinator.Store.Etcd;

/// <summary>What <see cref="EtcdReadCache"/> needs from the store: its channel, key layout and write revisions.</summary>
internal sealed partial class EtcdCoordinatorStore
{
    internal const int MaxReceiveMessageBytes = 256 * 1024 * 1024;

    private long _readBarrier;

    internal EtcdKeys Keys => _keys;

    internal EtcdStoreOptions Options => _options;

    /// <summary>
    /// The revision a read must see for read-your-writes: the highest revision this instance wrote (or claimed
    /// leadership at). Only the leader writes documents, and its leader key was created after every write of earlier
    /// terms, so on the leader this covers every document write there is.
    /// </summary>
    internal long ReadBarrier => Volatile.Read(ref _readBarrier);

    internal Task<RangeResponse> RangeForCacheAsync(RangeRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync("load read cache", (deadline, ct) => _client.GetAsync(request, null, deadline, ct), cancellationToken, timeout);

    /// <summary>
    /// A watch stream on this store's channel. "hasleader" makes an etcd member that lost its cluster leader cancel
    /// the stream instead of going quiet, so a member cut off in a minority cannot feed the cache stale data.
    /// </summary>
    internal AsyncDuplexStreamingCall<WatchRequest, WatchResponse> OpenWatch(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new Watch.WatchClient(_invoker).Watch(new Metadata { { "hasleader", "true" } }, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Puts this instance's read-cache marker (<c>readcache/&lt;instance&gt;</c>, not a document, not fenced: any
    /// coordinator may write it) and returns the revision it landed at. A watch over the prefix that has delivered
    /// this revision has delivered every earlier one — the cache's proof that a new watch caught up (etcd 3.4 answers
    /// a progress request at once, even while a watch still replays older revisions).
    /// </summary>
    internal async Task<long> PutReadCacheMarkAsync(CancellationToken cancellationToken)
    {
        var request = new PutRequest { Key = _keys.ReadCacheMark(InstanceId), Value = Google.Protobuf.ByteString.CopyFromUtf8(InstanceId) };
        var response = await CallAsync("put read cache mark", (deadline, ct) => _client.PutAsync(request, null, deadline, ct), cancellationToken).ConfigureAwait(false);
        return response.Header.Revision;
    }

    private void NoteWritten(long revision)
    {
        var current = Volatile.Read(ref _readBarrier);
        while (revision > current)
        {
            var seen = Interlocked.CompareExchange(ref _readBarrier, revision, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}
