namespace HaAgent.Core.Placement;

/// <summary>
/// What the unit being placed makes of one failure domain; valid only when <see cref="Stamp"/> is the unit's stamp.
/// One struct per domain keeps a host's check to one cache line per level.
/// </summary>
internal struct DomainMark
{
    public int Stamp;

    /// <summary>Slot + 1 of the first hard anti-affinity rule forbidding the domain; 0 when none does.</summary>
    public int HardSlot;

    /// <summary>Soft anti-affinity rules a placement here would break.</summary>
    public int Soft;

    /// <summary>The last soft rule counted, so a rule with two members here counts once.</summary>
    public int LastSoftSlot;

    /// <summary>Members of the unit's soft spread rules already in the domain.</summary>
    public long Spread;
}
