namespace HaAgent.Core.Env;

/// <summary>Blocklist the victim's addresses (the host IP covers every RADOS client it runs) in the OSD map.</summary>
public sealed record CephBlocklistTarget(IReadOnlyList<string> Addresses) : FenceTarget
{
    public override string ToString() => $"ceph-blocklist {string.Join(',', Addresses)}";
}
