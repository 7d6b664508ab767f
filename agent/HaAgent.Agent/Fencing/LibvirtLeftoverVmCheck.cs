using HaAgent.Agent.Configuration;
using HaAgent.Agent.Restart;
using HaAgent.NativeInterop.Libvirt;

namespace HaAgent.Agent.Fencing;

/// <summary>
/// Asks libvirt directly (not a cached table): every HA-managed domain must be shut off. "Crashed" does not count as
/// dead — with on_crash=preserve its QEMU is still there, holding its volumes open.
/// </summary>
internal sealed class LibvirtLeftoverVmCheck : ILeftoverVmCheck
{
    private readonly LibvirtAgentOptions _options;

    public LibvirtLeftoverVmCheck(LibvirtAgentOptions options)
    {
        _options = options;
    }

    public async Task<IReadOnlyList<string>> FindLiveManagedVmsAsync(CancellationToken cancellationToken)
    {
        var connection = await LibvirtConnection.OpenAsync(_options.Uri, _options.OpenTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            // A libvirtd that freezes after the open would hang the list and the close: both are bounded.
            var domains = await BoundedStep.RunAsync("list domains", connection.ListAllDomains, _options.OpenTimeout, cancellationToken)
                .ConfigureAwait(false);
            return [.. domains
                .Where(d => d.Name.StartsWith(_options.ManagedDomainPrefix, StringComparison.Ordinal) && d.State != DomainState.ShutOff)
                .Select(d => d.Name)];
        }
        finally
        {
            await ConnectionRelease.DisposeBoundedAsync(connection).ConfigureAwait(false);
        }
    }
}
