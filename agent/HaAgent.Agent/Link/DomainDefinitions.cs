using HaAgent.Agent.Fencing;
using HaAgent.Agent.Vms;

namespace HaAgent.Agent.Link;

/// <summary>Reads an HA VM's inactive (persistent) definition through the VM watcher's libvirt connection, bounded.</summary>
internal sealed class DomainDefinitions
{
    private readonly VmWatcher _watcher;
    private readonly TimeSpan _timeout;

    public DomainDefinitions(VmWatcher watcher, TimeSpan timeout)
    {
        _watcher = watcher;
        _timeout = timeout;
    }

    /// <summary>The inactive domain XML, or null while libvirt is not connected.</summary>
    public async Task<string?> ReadAsync(Guid uuid, CancellationToken cancellationToken)
    {
        if (_watcher.Connection is not { } connection)
        {
            return null;
        }
        return await BoundedStep.RunAsync("read inactive domain XML", () =>
        {
            using var domain = connection.LookupByUuid(uuid);
            return domain.GetXml(inactive: true);
        }, _timeout, cancellationToken).ConfigureAwait(false);
    }
}
