namespace HaAgent.Testing.Etcd;

/// <summary>
/// Where an <see cref="EtcdServer"/> listens. The defaults (127.0.0.1, free ports, root namespace) are what the store
/// tests use; the lab runs etcd inside its storage network namespace on a fixed address.
/// </summary>
public sealed class EtcdServerOptions
{
    /// <summary>Address for the client and peer URLs.</summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>Client port; null = a free one (root namespace only: a namespace has its own ports).</summary>
    public int? ClientPort { get; init; }

    /// <summary>Peer port; null = a free one.</summary>
    public int? PeerPort { get; init; }

    /// <summary>
    /// Network namespace to run etcd in (<c>ip netns exec</c>, which execs in place: the PID is etcd's). Health is then
    /// probed from inside it, since the caller's namespace may not route to <see cref="BindAddress"/>.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>Data directory; null = a temp directory removed on dispose.</summary>
    public string? DataDirectory { get; init; }
}
