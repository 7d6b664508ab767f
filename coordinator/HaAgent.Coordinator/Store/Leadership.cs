namespace HaAgent.Coordinator.Store;

/// <summary>
/// One term of leadership held by one store instance. <see cref="Lost"/> is cancelled as soon as this process can no
/// longer be sure it leads — renewal failed until the lease could have run out on the server, the store reports
/// someone else, or it resigned — and that happens no later than the store itself would let another instance take
/// over, so a coordinator that stops ordering when <see cref="Lost"/> fires never overlaps with its successor.
/// <see cref="IsLost"/> reads the clock itself, so it is exact even when a busy machine runs the timer behind <see
/// cref="Lost"/> late; check it right before acting. Once lost, a leadership never comes back: campaign again.
/// </summary>
internal sealed class Leadership
{
    private readonly CancellationTokenSource _lost;
    private readonly TimeProvider _time;
    private long _deadline;
    private int _lossReason;

    internal Leadership(ICoordinatorStore owner, string instanceId, long epoch, long leaseId, TimeSpan leaseTtl, TimeProvider time)
    {
        Owner = owner;
        InstanceId = instanceId;
        Epoch = epoch;
        LeaseId = leaseId;
        _time = time;
        _lost = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        ExtendUntil(leaseTtl);
    }

    public string InstanceId { get; }

    /// <summary>The fencing token of this term: greater than every earlier leader's, in this store.</summary>
    public long Epoch { get; }

    /// <summary>Cancelled when leadership is lost or given up; stop giving orders at once.</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested || _time.GetTimestamp() >= Volatile.Read(ref _deadline);

    /// <summary>Why <see cref="Lost"/> fired; the lease timer cancels without a reason, so that one is the default.</summary>
    public LeadershipLossReason? LossReason =>
        !IsLost ? null : _lossReason == 0 ? LeadershipLossReason.LeaseExpired : (LeadershipLossReason)_lossReason;

    internal ICoordinatorStore Owner { get; }

    /// <summary>etcd lease id; 0 on SQLite.</summary>
    internal long LeaseId { get; }

    /// <summary>After a renewal the server acknowledged: we may believe we lead for <paramref name="remaining"/> more.</summary>
    internal void ExtendUntil(TimeSpan remaining)
    {
        if (_deadline != 0 && IsLost)
        {
            // A renewal acknowledged after the deadline does not revive it: others may already have acted on the loss.
            MarkLost(LeadershipLossReason.LeaseExpired);
            return;
        }
        if (remaining < TimeSpan.Zero)
        {
            remaining = TimeSpan.Zero;
        }
        Volatile.Write(ref _deadline, _time.GetTimestamp() + (long)(remaining.TotalSeconds * _time.TimestampFrequency));
        try
        {
            _lost.CancelAfter(remaining);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// A copy that still believes it leads, for tests proving the store itself refuses a stale leader whose own
    /// timers failed to tell it (clock jump, missed timer).
    /// </summary>
    internal Leadership UnawareCopyForTesting(TimeProvider time) =>
        new(Owner, InstanceId, Epoch, LeaseId, TimeSpan.FromHours(1), time);

    /// <summary>Stores call this before any write: a leadership this process already knows is lost writes nothing.</summary>
    internal void ThrowIfLost()
    {
        if (IsLost)
        {
            throw new NotLeaderException(InstanceId, Epoch);
        }
    }

    internal void MarkLost(LeadershipLossReason reason)
    {
        if (!_lost.IsCancellationRequested)
        {
            Interlocked.CompareExchange(ref _lossReason, (int)reason, 0);
        }
        try
        {
            _lost.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
