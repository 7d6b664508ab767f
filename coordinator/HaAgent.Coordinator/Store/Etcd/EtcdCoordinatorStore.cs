using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace HaAgent.Coordinator.Store.Etcd;

/// <summary>
/// The store for several coordinators: etcd through dotnet-etcd. Leadership is one leader key created with a Txn
/// (absent → put with our lease); its create revision is the epoch, which only grows since etcd revisions do. Every
/// write is a Txn whose first compare is "leader key's create revision == our epoch": the key exists only while our
/// lease lives, so once the lease is gone or another term began, the write changes nothing. Each etcd call carries a
/// deadline of <see cref="EtcdStoreOptions.CallTimeout"/>.
/// </summary>
internal sealed partial class EtcdCoordinatorStore : ICoordinatorStore
{
    private readonly EtcdStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly GrpcChannel _channel;
    private readonly EtcdClient _client;
    private readonly Lease.LeaseClient _leaseClient;
    private readonly CallInvoker _invoker;
    private readonly EtcdKeys _keys;
    private int _disposeStarted;
    private int _disposed;

    public EtcdCoordinatorStore(EtcdStoreOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.InstanceId);
        if (options.LeaseTtl < TimeSpan.FromSeconds(1) || options.LeaseTtl.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LeaseTtl, "LeaseTtl must be a whole number of seconds, at least 1");
        }
        if (options.CallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CallTimeout, "CallTimeout must be positive");
        }
        _options = options;
        _time = time ?? TimeProvider.System;
        _keys = new EtcdKeys(options.KeyPrefix);
        _channel = new GrpcChannelFactory().CreateChannel(
            options.Endpoints,
            2379,
            "etcd",
            ChannelCredentials.Insecure,
            channel =>
            {
                channel.HttpHandler = new SocketsHttpHandler
                {
                    ConnectTimeout = options.CallTimeout,
                    EnableMultipleHttp2Connections = true,
                    // A dead TCP peer shows up as a failed ping, not as a call that waits until its deadline.
                    KeepAlivePingDelay = TimeSpan.FromSeconds(1),
                    KeepAlivePingTimeout = options.CallTimeout,
                    KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                };
                // The read cache's load pages and watch batches (a commit may carry 50 documents of up to 1 MiB each)
                // are bigger than gRPC's default 4 MB message limit.
                channel.MaxReceiveMessageSize = MaxReceiveMessageBytes;
            },
            null);
        _invoker = _channel.CreateCallInvoker();
        _client = new EtcdClient(_invoker);
        _leaseClient = new Lease.LeaseClient(_invoker);
    }

    public string InstanceId => _options.InstanceId;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
        {
            return;
        }
        // Even a term already lost locally may still hold the key or row; the guarded delete frees it only if so.
        if (_current is { LossReason: not LeadershipLossReason.Resigned } leadership)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_options.CallTimeout * 2);
                await ResignCoreAsync(leadership, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StoreUnavailableException or OperationCanceledException)
            {
                // The lease runs out by itself; resigning only spares the successor the wait.
            }
        }
        Volatile.Write(ref _disposed, 1);
        StopKeepAlive();
        _current?.MarkLost(LeadershipLossReason.StoreDisposed);
        _channel.Dispose();
    }

    private DateTime Deadline() => DateTime.UtcNow + _options.CallTimeout;

    /// <summary>One etcd call with a deadline (<see cref="EtcdStoreOptions.CallTimeout"/> unless given); gRPC failures become <see cref="StoreUnavailableException"/>.</summary>
    private async Task<T> CallAsync<T>(string what, Func<DateTime, CancellationToken, Task<T>> call, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            return await call(DateTime.UtcNow + (timeout ?? _options.CallTimeout), cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException ex)
        {
            throw new StoreUnavailableException($"etcd {what} failed: {ex.Status.StatusCode} {ex.Status.Detail}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new StoreUnavailableException($"etcd {what} failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Grpc.Net.Client's deadline timer cancels the HTTP/2 stream; depending on the race that surfaces as a
            // TaskCanceledException rather than RpcException(DeadlineExceeded). Either way the store did not answer.
            throw new StoreUnavailableException($"etcd {what} did not answer within {(timeout ?? _options.CallTimeout).TotalSeconds:F1} s", ex);
        }
    }

    private Task<TxnResponse> TxnAsync(string what, TxnRequest request, CancellationToken cancellationToken) =>
        CallAsync(what, (deadline, ct) => _client.TransactionAsync(request, null, deadline, ct), cancellationToken);

    private Task<RangeResponse> RangeAsync(string what, RangeRequest request, CancellationToken cancellationToken) =>
        CallAsync(what, (deadline, ct) => _client.GetAsync(request, null, deadline, ct), cancellationToken);

    private void CheckLeadership(Leadership leadership)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        if (!ReferenceEquals(leadership.Owner, this))
        {
            throw new ArgumentException("this leadership was acquired through another store instance", nameof(leadership));
        }
        leadership.ThrowIfLost();
    }

    /// <summary>The compare every fenced write starts with: our leader key, of our term, still exists.</summary>
    private Compare StillLeading(Leadership leadership) => new()
    {
        Key = _keys.Leader,
        Target = Compare.Types.CompareTarget.Create,
        Result = Compare.Types.CompareResult.Equal,
        CreateRevision = leadership.Epoch,
    };

    private static Compare ModRevisionIs(ByteString key, long modRevision) => new()
    {
        Key = key,
        Target = Compare.Types.CompareTarget.Mod,
        Result = Compare.Types.CompareResult.Equal,
        ModRevision = modRevision,
    };

    private static RequestOp Range(ByteString key, bool keysOnly = false) => new() { RequestRange = new RangeRequest { Key = key, KeysOnly = keysOnly } };

    /// <summary>A fenced Txn whose failure branch starts with a read of the leader key; throws when that shows we no longer lead.</summary>
    private TxnRequest FencedTxn(Leadership leadership)
    {
        var txn = new TxnRequest();
        txn.Compare.Add(StillLeading(leadership));
        txn.Failure.Add(Range(_keys.Leader, keysOnly: true));
        return txn;
    }

    private static void ThrowIfNotLeading(Leadership leadership, TxnResponse response)
    {
        if (response.Succeeded)
        {
            return;
        }
        var leader = response.Responses[0].ResponseRange.Kvs;
        if (leader.Count == 0 || leader[0].CreateRevision != leadership.Epoch)
        {
            leadership.MarkLost(LeadershipLossReason.Superseded);
            throw new NotLeaderException(leadership.InstanceId, leadership.Epoch);
        }
    }
}
