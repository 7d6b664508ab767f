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
    /// <summary>
    /// librados settings for a client that writes one small object a second and sends a rare mon command (they
    /// override ceph.conf's [client] section). Each client starts ~13 threads by default; every thread costs a stack
    /// and, once it mallocs, a glibc arena. One messenger worker and one io_context thread carry two sessions (a mon, an
    /// OSD) easily; no admin socket (a thread and a socket for a debugging aid); debug messages neither written nor
    /// gathered into the in-memory ring (the "/N" gather levels format and keep entries even when nothing is logged).
    /// Two client ticks slowed down (measured idle, 50 VMs: together ~0.02 % of a core less, about a tenth of the agent):
    /// <list type="bullet">
    /// <item><c>mon_client_log_interval</c> 1 s → 10 s: the MonClient ticks every min(log, ping interval), i.e. every
    /// second only to send cluster-log entries a librados client never has. Now it ticks with its keepalive
    /// (<c>mon_client_ping_interval</c>, 10 s); a mon session whose keepalives go unanswered (<c>mon_client_ping_timeout</c>,
    /// 30 s) is left after 30–40 s instead of 30–31 s. Fence commands have their own bound (rados_mon_op_timeout).</item>
    /// <item><c>objecter_tick_interval</c> 5 s → 15 s: each tick costs a few ms of spinning in librados' timer thread
    /// (its coarse clock lags the condition variable's by up to a jiffy). The tick pings OSDs with ops older than
    /// objecter_timeout (10 s) — ours never get that old: rados_osd_op_timeout (Ceph:OperationTimeout, 10 s) ends them
    /// first — and asks for a new osdmap for ops with no OSD to go to (a PG without a primary): after such an outage
    /// the heartbeat may resume up to 15 s after the PG does instead of 5 s. A blocklisting still reaches the client
    /// through the OSD's refusal (the fence tests), a broken OSD connection through the messenger's reset.</item>
    /// </list>
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> LeanClient = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["mon_client_log_interval"] = "10",
        ["objecter_tick_interval"] = "15",
        ["ms_async_op_threads"] = "1",
        ["librados_thread_count"] = "1",
        ["admin_socket"] = "",
        ["log_max_recent"] = "100",
        ["debug_ms"] = "0/0",
        ["debug_monc"] = "0/0",
        ["debug_rados"] = "0/0",
        ["debug_objecter"] = "0/0",
        ["debug_auth"] = "0/0",
        ["debug_crypto"] = "0/0",
        ["debug_asok"] = "0/0",
        ["debug_perfcounter"] = "0/0",
        ["debug_client"] = "0/0",
        ["debug_none"] = "0/0",
        ["debug_context"] = "0/0",
        ["debug_finisher"] = "0/0",
        ["debug_timer"] = "0/0",
        ["debug_buffer"] = "0/0",
    };

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
            return slot ??= ConnectOnThrowawayThread(new RadosConnectOptions
            {
                ClientName = clientName,
                ConfigFile = _options.ConfigFile,
                Keyring = keyring,
                ConnectTimeout = _options.OperationTimeout,
                MonOperationTimeout = _options.OperationTimeout,
                OsdOperationTimeout = _options.OperationTimeout,
                Settings = LeanClient,
            });
        }
    }

    /// <summary>
    /// Connects on a thread that exits right after. Building a CephContext (its whole config schema) runs ~1 MiB deep
    /// into the calling thread's stack; on a thread-pool thread those pages stay resident for the life of the process
    /// (measured: 980 KiB of one pool thread's stack), while glibc releases an exiting thread's stack (MADV_DONTNEED).
    /// The caller blocks exactly as long as the connect itself would have.
    /// </summary>
    private static RadosCluster ConnectOnThrowawayThread(RadosConnectOptions options)
    {
        RadosCluster? cluster = null;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                cluster = RadosCluster.Connect(options);
            }
            catch (Exception e)
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
        })
        { IsBackground = true, Name = "rados-connect" };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return cluster!;
    }
}
