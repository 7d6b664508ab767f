using HaAgent.Agent.Fencing;

namespace HaAgent.Agent.Orders;

/// <summary>
/// The unfence executor's leftover-VM check as an unfence order means it: the VMs the coordinator assigns to this host
/// (<see cref="Allowed"/>) may keep running; every other HA VM must be shut off. The order loop sets the set before each
/// unfence (orders run one at a time).
/// </summary>
internal sealed class AllowedVmsLeftoverCheck : ILeftoverVmCheck
{
    private readonly ILeftoverVmCheck _inner;
    private IReadOnlySet<string> _allowed = new HashSet<string>(StringComparer.Ordinal);

    public AllowedVmsLeftoverCheck(ILeftoverVmCheck inner)
    {
        _inner = inner;
    }

    public IReadOnlySet<string> Allowed
    {
        get => Volatile.Read(ref _allowed);
        set => Volatile.Write(ref _allowed, value);
    }

    public async Task<IReadOnlyList<string>> FindLiveManagedVmsAsync(CancellationToken cancellationToken)
    {
        var live = await _inner.FindLiveManagedVmsAsync(cancellationToken).ConfigureAwait(false);
        var allowed = Allowed;
        return [.. live.Where(name => !allowed.Contains(name))];
    }
}
