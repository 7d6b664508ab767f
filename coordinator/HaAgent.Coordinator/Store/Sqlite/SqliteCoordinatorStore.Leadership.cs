namespace HaAgent.Coordinator.Store.Sqlite;

internal sealed partial class SqliteCoordinatorStore
{
    private Leadership? _current;
    private CancellationTokenSource? _renewal;

    public Leadership? CurrentLeadership => _current is { IsLost: false } current ? current : null;

    public async Task<Leadership?> TryAcquireLeadershipAsync(CancellationToken cancellationToken)
    {
        if (CurrentLeadership is { } held)
        {
            return held;
        }
        var epoch = await RunAsync(() =>
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            var now = NowMs;
            long current;
            using (var read = Command(transaction, "SELECT holder, epoch, expires_at_ms FROM leadership WHERE id = 1"))
            using (var reader = read.ExecuteReader())
            {
                reader.Read();
                if (!reader.IsDBNull(0) && reader.GetInt64(2) > now)
                {
                    return 0L;
                }
                current = reader.GetInt64(1);
            }
            using (var take = Command(transaction, "UPDATE leadership SET holder = $holder, epoch = $epoch, expires_at_ms = $expires WHERE id = 1"))
            {
                take.Parameters.AddWithValue("$holder", InstanceId);
                take.Parameters.AddWithValue("$epoch", current + 1);
                take.Parameters.AddWithValue("$expires", now + (long)_options.LeaseTtl.TotalMilliseconds);
                take.ExecuteNonQuery();
            }
            transaction.Commit();
            return current + 1;
        }, cancellationToken).ConfigureAwait(false);
        if (epoch == 0)
        {
            return null;
        }

        var leadership = new Leadership(this, InstanceId, epoch, leaseId: 0, _options.LeaseTtl - _options.ExpiryMargin, _time);
        _current = leadership;
        StartRenewal(leadership);
        return leadership;
    }

    public Task<Leadership> CampaignAsync(CancellationToken cancellationToken) =>
        LeadershipCampaign.RunAsync(TryAcquireLeadershipAsync, _options.CampaignPollInterval, _time, cancellationToken);

    public Task<LeaderInfo?> GetLeaderAsync(CancellationToken cancellationToken) =>
        RunAsync(() =>
        {
            using var read = Command(null, "SELECT holder, epoch, expires_at_ms FROM leadership WHERE id = 1");
            using var reader = read.ExecuteReader();
            reader.Read();
            return reader.IsDBNull(0) || reader.GetInt64(2) <= NowMs ? null : new LeaderInfo(reader.GetString(0), reader.GetInt64(1));
        }, cancellationToken);

    public async Task ResignAsync(Leadership leadership, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        if (ReferenceEquals(leadership, _current))
        {
            StopRenewal();
        }
        await RunAsync(() =>
        {
            using var release = Command(null, "UPDATE leadership SET holder = NULL, expires_at_ms = 0 WHERE id = 1 AND epoch = $epoch AND holder = $holder");
            release.Parameters.AddWithValue("$epoch", leadership.Epoch);
            release.Parameters.AddWithValue("$holder", leadership.InstanceId);
            return release.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
        leadership.MarkLost(LeadershipLossReason.Resigned);
    }

    /// <summary>Stops renewing without giving the lease up: what a paused or hung coordinator looks like to the others.</summary>
    internal void SuspendRenewalForTesting() => StopRenewal();

    private void StartRenewal(Leadership leadership)
    {
        StopRenewal();
        var renewal = CancellationTokenSource.CreateLinkedTokenSource(leadership.Lost);
        _renewal = renewal;
        _ = RenewLoopAsync(leadership, renewal.Token);
    }

    private void StopRenewal()
    {
        var renewal = Interlocked.Exchange(ref _renewal, null);
        if (renewal is not null)
        {
            renewal.Cancel();
            renewal.Dispose();
        }
    }

    private async Task RenewLoopAsync(Leadership leadership, CancellationToken cancellationToken)
    {
        var ttlMs = (long)_options.LeaseTtl.TotalMilliseconds;
        var interval = _options.LeaseTtl / 3;
        try
        {
            while (true)
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
                var renewedAt = NowMs;
                int renewed;
                try
                {
                    renewed = await RunAsync(() =>
                    {
                        using var renew = Command(null, "UPDATE leadership SET expires_at_ms = $expires WHERE id = 1 AND epoch = $epoch AND holder = $holder AND expires_at_ms > $now");
                        renew.Parameters.AddWithValue("$expires", renewedAt + ttlMs);
                        renew.Parameters.AddWithValue("$epoch", leadership.Epoch);
                        renew.Parameters.AddWithValue("$holder", leadership.InstanceId);
                        renew.Parameters.AddWithValue("$now", renewedAt);
                        return renew.ExecuteNonQuery();
                    }, cancellationToken).ConfigureAwait(false);
                }
                catch (StoreUnavailableException)
                {
                    // Busy or failing disk: retry; the lease timer ends leadership if this lasts.
                    continue;
                }
                if (renewed == 0)
                {
                    leadership.MarkLost(LeadershipLossReason.Superseded);
                    return;
                }
                leadership.ExtendUntil(TimeSpan.FromMilliseconds(renewedAt + ttlMs - NowMs) - _options.ExpiryMargin);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
