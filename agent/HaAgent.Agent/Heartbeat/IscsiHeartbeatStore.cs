using HaAgent.Agent.Fencing;
using HaAgent.Agent.Storage;
using HaAgent.NativeInterop.Iscsi;
using HaAgent.Protocol.StorageHeartbeat;

namespace HaAgent.Agent.Heartbeat;

/// <summary>
/// The heartbeat as one block (fixed slot per host) of a shared LUN. On a LUN under a registrants-only reservation a
/// new session joins only if this host's key is still registered (a preempted host stays preempted: its heartbeat
/// writes then fail with RESERVATION CONFLICT and the coordinator sees the sequence stop).
/// </summary>
internal sealed class IscsiHeartbeatStore : IHeartbeatStore
{
    private readonly IscsiSessionPool _pool;
    private readonly IscsiLunAddress _lun;
    private readonly int _slot;

    public IscsiHeartbeatStore(IscsiSessionPool pool, IscsiLunAddress lun, int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        _pool = pool;
        _lun = lun;
        _slot = slot;
    }

    public string Name => $"iscsi:{_lun}#slot{_slot}";

    public string? CephClientAddress => null;

    public void Write(HeartbeatRecord record)
    {
        var session = _pool.Get(_lun, out var isNew);
        if (isNew)
        {
            Join(session, _pool.OwnKey);
        }
        var block = new byte[BlocksPerSlot(session) * session.Capacity.BlockSize];
        HeartbeatCodec.Write(record, block);
        IscsiPrSteps.Once(session, s => s.WriteBlocks(Lba(session, _slot), block));
    }

    /// <summary>Reads slot <paramref name="slot"/> through any session to the LUN (the coordinator's reader).</summary>
    public static HeartbeatReadResult Read(IscsiSession session, int slot)
    {
        var data = IscsiPrSteps.Once(session, s => s.ReadBlocks(Lba(s, slot), BlocksPerSlot(s)));
        return HeartbeatCodec.Read(data);
    }

    internal static ulong Lba(IscsiSession session, int slot) => (ulong)slot * (ulong)BlocksPerSlot(session);

    private static int BlocksPerSlot(IscsiSession session) =>
        (HeartbeatCodec.RecordSize + session.Capacity.BlockSize - 1) / session.Capacity.BlockSize;

    private static void Join(IscsiSession session, ulong ownKey)
    {
        var reservation = IscsiPrSteps.Once(session, s => s.ReadReservation());
        if (!reservation.IsReserved || !IscsiPrSteps.IsRegistrantsOnly(reservation.Type))
        {
            return;
        }
        var keys = IscsiPrSteps.Once(session, s => s.ReadKeys());
        if (!keys.Keys.Contains(ownKey))
        {
            throw new ReservationConflictException("heartbeat join", new ScsiOutcome(ScsiStatus.ReservationConflict));
        }
        IscsiPrSteps.Once(session, s => s.Register(ownKey));
    }
}
