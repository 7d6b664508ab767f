namespace HaAgent.Agent.Storage;

/// <summary>The storage clients this host is configured for (either may be absent).</summary>
internal sealed class AgentStorage(CephConnections? ceph, IscsiSessionPool? iscsi) : IDisposable
{
    public CephConnections? Ceph { get; } = ceph;

    public IscsiSessionPool? Iscsi { get; } = iscsi;

    public void Dispose()
    {
        Ceph?.Dispose();
        Iscsi?.Dispose();
    }
}
