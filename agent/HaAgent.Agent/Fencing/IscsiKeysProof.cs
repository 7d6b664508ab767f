using HaAgent.NativeInterop.Iscsi;

namespace HaAgent.Agent.Fencing;

/// <summary>
/// READ KEYS and READ RESERVATION on one LUN after the preempt: the victim's key is absent and a registrants-only
/// reservation is held, so the victim's writes are refused with RESERVATION CONFLICT.
/// </summary>
internal sealed record IscsiKeysProof(
    string Portal,
    string TargetIqn,
    int Lun,
    uint Generation,
    IReadOnlyList<ulong> RegisteredKeys,
    ulong VictimKey,
    ulong ReservationHolderKey,
    PersistentReservationType? ReservationType,
    PersistentReserveOutAction? PreemptedWith) : FenceProof
{
    public bool VictimAbsent => !RegisteredKeys.Contains(VictimKey);

    public override string ToString() =>
        $"READ KEYS {Portal}/{TargetIqn}/{Lun} gen {Generation} = [{string.Join(',', RegisteredKeys.Select(k => $"0x{k:X16}"))}], reservation 0x{ReservationHolderKey:X16} {ReservationType}";
}
