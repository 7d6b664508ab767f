using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace HaAgent.Coordinator.Store.Etcd;

internal sealed partial class EtcdCoordinatorStore
{
    private Leadership? _current;
    private CancellationTokenSource? _keepAlive;

    public Leadership? CurrentLeadership => _current is { IsLost: false } current ? current : null;

    public async Task<Leadership?> TryAcquireLeadershipAsync(CancellationToken cancellationToken)
    {
        if (CurrentLeadership is { } held)
        {
            return held;
        }
        // Cheap read first: while someone leads, a waiting campaign costs no lease grants.
        var leader = await RangeAsync("read leader", new RangeRequest { Key = _keys.Leader, KeysOnly = true }, cancellationToken).ConfigureAwait(false);
        if (leader.Kvs.Count > 0)
        {
            return null;
        }

        var grantedAt = _time.GetTimestamp();
        var grant = await CallAsync(
            "grant lease",
            (deadline, ct) => _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)_options.LeaseTtl.TotalSeconds }, null, deadline, ct),
            cancellationToken).ConfigureAwait(false);
        TxnResponse claim;
        try
        {
            var txn = new TxnRequest();
            txn.Compare.Add(new Compare
            {
                Key = _keys.Leader,
                Target = Compare.Types.CompareTarget.Create,
                Result = Compare.Types.CompareResult.Equal,
                CreateRevision = 0,
            });
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = _keys.Leader, Value = ByteString.CopyFromUtf8(InstanceId), Lease = grant.ID } });
            claim = await TxnAsync("claim leader key", txn, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The claim may have applied without us hearing back: revoking the lease deletes the key if it did.
            await RevokeQuietlyAsync(grant.ID).ConfigureAwait(false);
            throw;
        }
        if (!claim.Succeeded)
        {
            await RevokeQuietlyAsync(grant.ID).ConfigureAwait(false);
            return null;
        }

        // The key's create revision is the revision of the Txn that created it. Every write of earlier terms has a
        // lower revision, so a read cache that reached the epoch holds all of them (see EtcdReadCache).
        NoteWritten(claim.Header.Revision);
        var remaining = TimeSpan.FromSeconds(grant.TTL) - _time.GetElapsedTime(grantedAt) - _options.ExpiryMargin;
        var leadership = new Leadership(this, InstanceId, claim.Header.Revision, grant.ID, remaining, _time);
        _current = leadership;
        StartKeepAlive(leadership);
        return leadership;
    }

    public Task<Leadership> CampaignAsync(CancellationToken cancellationToken) =>
        LeadershipCampaign.RunAsync(TryAcquireLeadershipAsync, _options.CampaignPollInterval, _time, cancellationToken);

    public async Task<LeaderInfo?> GetLeaderAsync(CancellationToken cancellationToken)
    {
        var leader = await RangeAsync("read leader", new RangeRequest { Key = _keys.Leader }, cancellationToken).ConfigureAwait(false);
        return leader.Kvs.Count == 0 ? null : new LeaderInfo(leader.Kvs[0].Value.ToStringUtf8(), leader.Kvs[0].CreateRevision);
    }

    public Task ResignAsync(Leadership leadership, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        if (!ReferenceEquals(leadership.Owner, this))
        {
            throw new ArgumentException("this leadership was acquired through another store instance", nameof(leadership));
        }
        return ResignCoreAsync(leadership, cancellationToken);
    }

    /// <summary>Stops keeping the lease alive without revoking it: to etcd this looks like a killed or frozen coordinator.</summary>
    internal void AbandonLeaseForTesting() => StopKeepAlive();

    /// <summary>What kill -9 of this coordinator looks like to etcd: keep-alives stop and connections drop, the lease is left to expire.</summary>
    internal void CrashForTesting()
    {
        Volatile.Write(ref _disposeStarted, 1);
        Volatile.Write(ref _disposed, 1);
        StopKeepAlive();
        _channel.Dispose();
    }

    private async Task ResignCoreAsync(Leadership leadership, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(leadership, _current))
        {
            StopKeepAlive();
        }
        var txn = new TxnRequest();
        txn.Compare.Add(StillLeading(leadership));
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = _keys.Leader } });
        await TxnAsync("delete leader key", txn, cancellationToken).ConfigureAwait(false);
        leadership.MarkLost(LeadershipLossReason.Resigned);
        await RevokeQuietlyAsync(leadership.LeaseId).ConfigureAwait(false);
    }

    private async Task RevokeQuietlyAsync(long leaseId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.CallTimeout);
            await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = leaseId }, null, Deadline(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or HttpRequestException)
        {
            // Already expired, or etcd unreachable: then it expires by itself within its TTL.
        }
    }

    private void StartKeepAlive(Leadership leadership)
    {
        StopKeepAlive();
        var keepAlive = CancellationTokenSource.CreateLinkedTokenSource(leadership.Lost);
        _keepAlive = keepAlive;
        _ = KeepAliveLoopAsync(leadership, keepAlive.Token);
    }

    private void StopKeepAlive()
    {
        var keepAlive = Interlocked.Exchange(ref _keepAlive, null);
        if (keepAlive is not null)
        {
            keepAlive.Cancel();
            keepAlive.Dispose();
        }
    }

    /// <summary>
    /// Renews the lease every third of its TTL on one keep-alive stream (reopened after a failure) and checks the
    /// leader key is still ours. Each acknowledged renewal moves the local deadline to send time + granted TTL −
    /// margin: etcd's own expiry counts from when it received the renewal, later than we sent it, so the local
    /// deadline always passes first. Leadership is marked lost at that deadline even if this loop is stuck.
    /// </summary>
    private async Task KeepAliveLoopAsync(Leadership leadership, CancellationToken cancellationToken)
    {
        var interval = _options.LeaseTtl / 3;
        var callTimeout = _options.CallTimeout < interval ? _options.CallTimeout : interval;
        AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse>? stream = null;
        try
        {
            while (true)
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
                var sentAt = _time.GetTimestamp();
                try
                {
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    attempt.CancelAfter(callTimeout);
                    stream ??= _leaseClient.LeaseKeepAlive(cancellationToken: cancellationToken);
                    await stream.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = leadership.LeaseId }, attempt.Token).ConfigureAwait(false);
                    if (!await stream.ResponseStream.MoveNext(attempt.Token).ConfigureAwait(false))
                    {
                        throw new IOException("etcd closed the keep-alive stream");
                    }
                    var ttl = stream.ResponseStream.Current.TTL;
                    if (ttl <= 0)
                    {
                        leadership.MarkLost(LeadershipLossReason.LeaseExpired);
                        return;
                    }
                    var leader = await _client.GetAsync(new RangeRequest { Key = _keys.Leader, KeysOnly = true }, null, DateTime.UtcNow + callTimeout, attempt.Token).ConfigureAwait(false);
                    if (leader.Kvs.Count == 0 || leader.Kvs[0].CreateRevision != leadership.Epoch)
                    {
                        leadership.MarkLost(LeadershipLossReason.Superseded);
                        return;
                    }
                    leadership.ExtendUntil(TimeSpan.FromSeconds(ttl) - _time.GetElapsedTime(sentAt) - _options.ExpiryMargin);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is RpcException or OperationCanceledException or IOException or HttpRequestException or InvalidOperationException)
                {
                    // Start over on a fresh stream next round; the local deadline ends leadership if this keeps failing.
                    stream?.Dispose();
                    stream = null;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (RpcException)
        {
        }
        finally
        {
            stream?.Dispose();
        }
    }
}
