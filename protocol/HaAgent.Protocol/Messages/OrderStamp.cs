namespace HaAgent.Protocol.Messages;

/// <summary>
/// Orders one leader's orders: <see cref="Epoch"/> is the leadership epoch (fencing token), <see cref="Sequence"/>
/// counts that leader's orders from 1. Compared lexicographically, so any order of a newer leader outranks every
/// order of an older one, whatever their sequences.
/// </summary>
public readonly record struct OrderStamp(long Epoch, long Sequence) : IComparable<OrderStamp>
{
    public int CompareTo(OrderStamp other)
    {
        var byEpoch = Epoch.CompareTo(other.Epoch);
        return byEpoch != 0 ? byEpoch : Sequence.CompareTo(other.Sequence);
    }

    public static bool operator <(OrderStamp left, OrderStamp right) => left.CompareTo(right) < 0;

    public static bool operator >(OrderStamp left, OrderStamp right) => left.CompareTo(right) > 0;

    public static bool operator <=(OrderStamp left, OrderStamp right) => left.CompareTo(right) <= 0;

    public static bool operator >=(OrderStamp left, OrderStamp right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Epoch}.{Sequence}";
}
