using HaAgent.Agent.Configuration;
using HaAgent.NativeInterop.Rados;

namespace HaAgent.Agent.Storage;

/// <summary>
/// The agent's two librados clients, connected on first use: the host identity (heartbeat writes; what a peer fences)
/// and the fencer identity (blocklist only). A client that failed is dropped and reconnected on next use; a
/// blocklisted host client stays dead until the host is unfenced (a new connection gets a new nonce).
/// </summary>
internal sealed class CephConnections : IDisposable
{
    private readonly CephAgentOptions _options;
    private readonly Lock _gate = new();
    private RadosCluster? _host;
    private RadosCluster? _fencer;
    private bool _disposed;

    public CephConnections(CephAgentOptions options)
    {
        _options = options;
    }

    public CephAgentOptions Options => _options;

    public RadosCluster Fencer() => Get(ref _fencer, _options.FencerClientName, _options.FencerKeyring);

    public RadosCluster Host() => Get(ref _host, _options.ClientName, _options.Keyring);

    /// <summary>Drops <paramref name="cluster"/> if it is still the current one, so the next call reconnects.</summary>
    public void Reset(RadosCluster cluster)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_fencer, cluster))
            {
                _fencer = null;
            }
            if (ReferenceEquals(_host, cluster))
            {
                _host = null;
            }
        }
        cluster.Dispose();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _host?.Dispose();
            _fencer?.Dispose();
            _host = null;
            _fencer = null;
        }
    }

    private RadosCluster Get(ref RadosCluster? slot, string clientName, string keyring)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return slot ??= RadosCluster.Connect(new RadosConnectOptions
            {
                ClientName = clientName,
                ConfigFile = _options.ConfigFile,
                Keyring = keyring,
                ConnectTimeout = _options.OperationTimeout,
                MonOperationTimeout = _options.OperationTimeout,
                OsdOperationTimeout = _options.OperationTimeout,
            });
        }
    }
}
