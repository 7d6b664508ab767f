namespace HaAgent.Testing.Lab;

/// <summary>A whole-IP Ceph blocklist of one lab host, confirmed by the all-PG barrier.</summary>
public sealed record LabFence(string Host, string Entry, TimeSpan BlocklistTime, TimeSpan BarrierTime)
{
    public TimeSpan Total => BlocklistTime + BarrierTime;
}
