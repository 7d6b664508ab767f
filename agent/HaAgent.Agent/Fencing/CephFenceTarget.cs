namespace HaAgent.Agent.Fencing;

/// <summary>
/// Blocklist exact client instances (<c>IP:0/NONCE</c>) and, only when listed in <see cref="WholeHostIps"/>, every
/// client on an IP (<c>IP:0/0</c>): a whole-host entry also fences any fencer or agent sharing that IP, so it is never
/// derived from a client address, only ordered.
/// </summary>
internal sealed record CephFenceTarget(IReadOnlyList<string> ClientAddresses, IReadOnlyList<string> WholeHostIps) : FenceTargetSpec
{
    public override string ToString() => $"ceph-blocklist clients=[{string.Join(',', ClientAddresses)}] hosts=[{string.Join(',', WholeHostIps)}]";
}
