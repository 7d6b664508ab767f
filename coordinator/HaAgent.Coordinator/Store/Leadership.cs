namespace HaAgent.Coordinator.Store;

/// <summary>
/// One term of leadership held by one store instance. <see cref="Lost"/> is cancelled as soon as this process can no
/// longer be sure it leads — renewal failed until the lease could have run out on the server, the store reports
/// someone else, or it resigned — and that happens no later than the store itself would let another instance take
/// over, so a coordinator that stops ordering when <see cref="Lost"/> fires never overlaps with its successor.
/// </summary>
internal sealed class Leadership
{
    private readonly CancellationTokenSource _lost;
    private int _lossReason;

    internal Leadership(ICoordinatorStore owner, string instanceId, long epoch, long leaseId, TimeSpan leaseTtl, TimeProvider time)
    {
        Owner = owner;
        InstanceId = instanceId;
        Epoch = epoch;
        LeaseId = leaseId;
        _lost = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _lost.Token.Register(static state =>
        {
            var self = (Leadership)state!;
            Interlocked.CompareExchange(ref self._lossReason, (int)LeadershipLossReason.LeaseExpired, 0);
        }, this);
        ExtendUntil(leaseTtl);
    }

    public string InstanceId { get; }

    /// <summary>The fencing token of this term: greater than every earlier leader's, in this store.</summary>
    public long Epoch { get; }

    /// <summary>Cancelled when leadership is lost or given up; stop giving orders at once.</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    public LeadershipLossReason? LossReason => _lossReason == 0 ? null : (LeadershipLossReason)_lossReason;

    internal ICoordinatorStore Owner { get; }

    /// <summary>etcd lease id; 0 on SQLite.</summary>
    internal long LeaseId { get; }

    /// <summary>After a renewal the server acknowledged: we may believe we lead for <paramref name="remaining"/> more.</summary>
    internal void ExtendUntil(TimeSpan remaining)
    {
        try
        {
            _lost.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    internal void MarkLost(LeadershipLossReason reason)
    {
        Interlocked.CompareExchange(ref _lossReason, (int)reason, 0);
        try
        {
            _lost.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
