using System.Diagnostics;
using System.Globalization;

namespace HaAgent.Testing.Ceph;

/// <summary>
/// A throwaway Ceph cluster on loopback: 1 mon + 1 memstore OSD, cephx, msgr2 only, one size-1 pool, everything
/// (conf, keyrings, stores, logs, sockets) in one temp dir. Starts in about 1.5 s; disposing SIGKILLs both daemons by
/// PID and deletes the dir. A failed start tears down what it started and throws with the log directory.
/// </summary>
public sealed class CephCluster : IDisposable, IAsyncDisposable
{
    /// <summary>What a fixture needs installed; pass to <see cref="Requires.Tools"/>.</summary>
    public const string Packages = "ceph-mon ceph-osd ceph-common";

    public static readonly string[] Commands = ["ceph-mon", "ceph-osd", "ceph", "rados", "monmaptool"];

    /// <summary>The fencing identity's capabilities: read maps, add/rm/ls blocklist entries, nothing else.</summary>
    public const string FencerMonCaps = "allow r, allow command \"osd blocklist\"";

    private readonly List<Process> _daemons = [];
    private readonly TempDirectory _directory;
    private bool _keepDirectory;

    private CephCluster(TempDirectory directory, CephClusterOptions options, int monPort)
    {
        _directory = directory;
        Options = options;
        MonPort = monPort;
        MonHost = string.Create(CultureInfo.InvariantCulture, $"[v2:{options.BindAddress}:{monPort}]");
    }

    public CephClusterOptions Options { get; }

    public string Directory => _directory.Path;

    public string ConfigPath => _directory.File("ceph.conf");

    public string LogDirectory => _directory.File("log");

    public int MonPort { get; }

    /// <summary>mon_host value, e.g. "[v2:127.0.0.1:41234]".</summary>
    public string MonHost { get; }

    public string Pool => Options.Pool;

    /// <summary>client.admin: every capability.</summary>
    public CephIdentity Admin { get; private set; } = null!;

    /// <summary>client.fencer: <see cref="FencerMonCaps"/> only.</summary>
    public CephIdentity Fencer { get; private set; } = null!;

    /// <summary>PIDs of the daemons this fixture started (mon first), for teardown checks.</summary>
    public IReadOnlyList<int> DaemonPids => _daemons.Select(p => p.Id).ToArray();

    /// <summary>How long <see cref="StartAsync"/> took until a write to the pool succeeded.</summary>
    public TimeSpan StartupTime { get; private set; }

    private readonly Dictionary<string, CephIdentity> _hostClients = new(StringComparer.Ordinal);

    /// <summary>A host identity seeded by <see cref="CephClusterOptions.HostClients"/> ("hostA" → client.hostA).</summary>
    public CephIdentity HostClient(string host) => _hostClients[host];

    public static async Task<CephCluster> StartAsync(CephClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CephClusterOptions();
        var cluster = new CephCluster(new TempDirectory("ceph"), options, options.MonPort ?? FreePort.Next());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.StartTimeout);
        try
        {
            await cluster.StartCoreAsync(deadline.Token).ConfigureAwait(false);
            return cluster;
        }
        catch (Exception ex)
        {
            await deadline.CancelAsync().ConfigureAwait(false); // kills CLI calls still in flight (osd new, pool create)
            cluster._keepDirectory = true; // the logs are the only clue
            cluster.Dispose();
            throw new InvalidOperationException(
                $"Ceph fixture failed to start ({ex.GetType().Name}: {ex.Message}); logs in {cluster.LogDirectory}", ex);
        }
    }

    /// <summary>
    /// Creates (or returns) client.<paramref name="host"/> with mon 'allow r', osd 'allow rwx pool=POOL'
    /// through "ceph auth import", for identities not seeded at start.
    /// </summary>
    public async Task<CephIdentity> CreateHostClientAsync(string host, CancellationToken cancellationToken = default)
    {
        if (_hostClients.TryGetValue(host, out var existing))
        {
            return existing;
        }
        var identity = WriteIdentity($"client.{host}", HostCaps());
        (await CephAsync(["auth", "import", "-i", identity.KeyringPath], cancellationToken).ConfigureAwait(false))
            .EnsureSuccess($"ceph auth import {identity.Name}");
        _hostClients[host] = identity;
        return identity;
    }

    /// <summary>Runs the ceph CLI as client.admin against this cluster, bounded in time.</summary>
    public Task<ProcessRunner.Result> CephAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default) =>
        ClientCommandAsync("ceph", ["-c", ConfigPath, "--connect-timeout", "10", .. arguments], TimeSpan.FromSeconds(20), cancellationToken);

    /// <summary>
    /// Runs a Ceph client CLI (ceph, rados, rbd) as client.admin against this cluster, in the cluster's network
    /// namespace when it has one, bounded in time. Pass "-c", <see cref="ConfigPath"/> yourself.
    /// </summary>
    public Task<ProcessRunner.Result> ClientCommandAsync(
        string program, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var (fileName, prefixed) = InNamespace(program, arguments);
        return ProcessRunner.RunAsync(fileName, prefixed, timeout, cancellationToken: cancellationToken);
    }

    /// <summary>`ip netns exec NS program args` when the cluster lives in a namespace (ip execs in place: same PID).</summary>
    private (string FileName, string[] Arguments) InNamespace(string program, IEnumerable<string> arguments) =>
        Options.NetworkNamespace is { } ns
            ? (ProcessRunner.Which("ip") ?? "ip", ["netns", "exec", ns, ProcessRunner.Which(program) ?? program, .. arguments])
            : (program, arguments.ToArray());

    public void Dispose()
    {
        // OSD first: a mon killed first makes a dying OSD log reconnect noise, nothing worse.
        for (var i = _daemons.Count - 1; i >= 0; i--)
        {
            var daemon = _daemons[i];
            try
            {
                if (!daemon.HasExited)
                {
                    daemon.Kill(entireProcessTree: true);
                }
                daemon.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // never started or already reaped
            }
            ProcessKiller.KillAndWait(daemon.Id);
            daemon.Dispose();
        }
        _daemons.Clear();
        if (!_keepDirectory)
        {
            _directory.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        foreach (var sub in new[] { "mon", "osd.0", "run", "log", "crash" })
        {
            System.IO.Directory.CreateDirectory(_directory.File(sub));
        }
        var fsid = Guid.NewGuid().ToString();
        await File.WriteAllTextAsync(ConfigPath, Config(fsid), cancellationToken).ConfigureAwait(false);

        // Every identity is seeded into the mon keyring before mkfs: the mon imports them into its auth database,
        // which saves one CLI round trip (~0.3 s) per identity.
        Admin = WriteIdentity("client.admin", ("mon", "allow *"), ("osd", "allow *"), ("mgr", "allow *"), ("mds", "allow *"));
        Fencer = WriteIdentity("client.fencer", ("mon", FencerMonCaps));
        foreach (var host in Options.HostClients)
        {
            _hostClients[host] = WriteIdentity($"client.{host}", HostCaps());
        }
        var monKeyring = _directory.File("ceph.mon.a.keyring");
        await File.WriteAllTextAsync(
            monKeyring,
            CephxKey.KeyringSection("mon.", CephxKey.Generate(), ("mon", "allow *"))
                + string.Concat(new[] { Admin, Fencer }.Concat(_hostClients.Values).Select(id => File.ReadAllText(id.KeyringPath))),
            cancellationToken).ConfigureAwait(false);

        Step(started, "conf and keyrings");
        var monmap = _directory.File("monmap");
        await RunAsync("monmaptool", ["--create", "--fsid", fsid, "--addv", "a", MonHost, monmap], cancellationToken).ConfigureAwait(false);
        await RunAsync("ceph-mon", ["-c", ConfigPath, "--mkfs", "-i", "a", "--monmap", monmap, "--keyring", monKeyring], cancellationToken)
            .ConfigureAwait(false);
        StartDaemon("ceph-mon", ["-f", "-c", ConfigPath, "-i", "a"], "mon.a");
        Step(started, "mon mkfs and start");

        // OSD: register its id and cephx secret with the mon while its memstore is made (--no-mon-config: mkfs would
        // otherwise authenticate as osd.0 before "osd new" registered it), then start.
        var osdUuid = Guid.NewGuid().ToString();
        var osdKey = CephxKey.Generate();
        var newJson = _directory.File("osd.0/new.json");
        await File.WriteAllTextAsync(newJson, $$"""{"cephx_secret": "{{osdKey}}"}""", cancellationToken).ConfigureAwait(false);
        var osdNew = CephAsync(["osd", "new", osdUuid, "0", "-i", newJson], cancellationToken);
        // The pool needs only the mon: creating it while the OSD is made hides one CLI round trip (~0.5 s).
        var poolCreate = CephAsync(["osd", "pool", "create", Pool, "8", "8", "replicated"], cancellationToken);
        await File.WriteAllTextAsync(
            _directory.File("ceph.osd.0.keyring"), CephxKey.KeyringSection("osd.0", osdKey), cancellationToken).ConfigureAwait(false);
        await RunAsync("ceph-osd", ["-c", ConfigPath, "-i", "0", "--mkfs", "--no-mon-config", "--osd-uuid", osdUuid], cancellationToken).ConfigureAwait(false);
        Step(started, "osd mkfs");
        (await osdNew.ConfigureAwait(false)).EnsureSuccess("ceph osd new");
        StartDaemon("ceph-osd", ["-f", "-c", ConfigPath, "-i", "0"], "osd.0");
        Step(started, "osd new and start");

        (await poolCreate.ConfigureAwait(false)).EnsureSuccess($"ceph osd pool create {Pool}");
        Step(started, "pool create");

        await WaitUntilWritableAsync(cancellationToken).ConfigureAwait(false);
        StartupTime = started.Elapsed;
        Step(started, "writable");
    }

    /// <summary>Start timings go to log/startup.log: a slow start is then readable per step.</summary>
    private void Step(Stopwatch started, string what) =>
        File.AppendAllText(_directory.File("log/startup.log"), string.Create(CultureInfo.InvariantCulture, $"{started.Elapsed.TotalSeconds:F3} s {what}\n"));

    /// <summary>The pool is usable once a write succeeds: OSD up and booted, PGs active.</summary>
    private async Task WaitUntilWritableAsync(CancellationToken cancellationToken)
    {
        var probe = _directory.File("run/probe");
        await File.WriteAllTextAsync(probe, "ok", cancellationToken).ConfigureAwait(false);
        string last = "";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfDaemonDied();
            try
            {
                var put = await ClientCommandAsync(
                    "rados", ["-c", ConfigPath, "-p", Pool, "put", "__fixture_probe", probe], TimeSpan.FromSeconds(2),
                    cancellationToken).ConfigureAwait(false);
                if (put.ExitCode == 0)
                {
                    return;
                }
                last = put.StandardError.Trim();
            }
            catch (TimeoutException ex)
            {
                last = ex.Message;
            }
            try
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"pool {Pool} never became writable; last rados put: {last}");
            }
        }
    }

    private void ThrowIfDaemonDied()
    {
        foreach (var daemon in _daemons)
        {
            if (daemon.HasExited)
            {
                throw new InvalidOperationException($"{daemon.StartInfo.ArgumentList[^1]} exited with code {daemon.ExitCode}");
            }
        }
    }

    /// <summary>
    /// Foreground daemon (-f) as our own child: its PID is known at once (no pid-file race after daemonizing) and
    /// stdout/stderr go to a log file through exec, so no pipe can fill up and block it.
    /// </summary>
    private void StartDaemon(string program, string[] arguments, string name)
    {
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$LOG\" 2>&1");
        var (fileName, prefixed) = InNamespace(program, arguments);
        startInfo.ArgumentList.Add(ProcessRunner.Which(fileName) ?? fileName);
        foreach (var argument in prefixed)
        {
            startInfo.ArgumentList.Add(argument);
        }
        startInfo.Environment["LOG"] = _directory.File($"log/{name}.out");
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {program}");
        _daemons.Add(process);
    }

    private async Task RunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        // In the cluster's namespace too: mon mkfs fails (silently, exit 1) where no interface holds the public network.
        var (fileName, prefixed) = InNamespace(program, arguments);
        var result = await ProcessRunner.RunAsync(fileName, prefixed, TimeSpan.FromSeconds(20), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        result.EnsureSuccess(program + " " + string.Join(' ', arguments.Take(3)));
    }

    private (string, string)[] HostCaps() => [("mon", "allow r"), ("osd", $"allow rwx pool={Pool}")];

    private CephIdentity WriteIdentity(string name, params (string Service, string Caps)[] caps)
    {
        var key = CephxKey.Generate();
        var path = _directory.File($"ceph.{name}.keyring");
        File.WriteAllText(path, CephxKey.KeyringSection(name, key, caps));
        return new CephIdentity(name, key, path);
    }

    private string Config(string fsid)
    {
        var dir = Directory;
        var paxos = Options.FastPaxos
            ? """
              # default 1 s batching makes every back-to-back mon write (blocklist add/rm, pool create) take ~1 s
              paxos propose interval = 0.01
              paxos min wait = 0.01
              """
            : "";
        return $"""
            [global]
            fsid = {fsid}
            mon host = {MonHost}
            public network = {Options.PublicNetwork}
            ms bind msgr1 = false
            ms bind msgr2 = true
            auth cluster required = cephx
            auth service required = cephx
            auth client required = cephx
            keyring = {dir}/$cluster.$name.keyring
            run dir = {dir}/run
            pid file = {dir}/run/$cluster-$name.pid
            log file = {dir}/log/$cluster-$name.log
            crash dir = {dir}/crash
            log to stderr = false
            err to stderr = true
            osd pool default size = 1
            osd pool default min size = 1
            osd pool default pg num = 8
            osd pool default pgp num = 8
            osd pool default pg autoscale mode = off
            mon allow pool size one = true
            mon allow pool delete = true
            osd crush chooseleaf type = 0
            mon warn on pool no redundancy = false
            mon data avail warn = 1
            mon data avail crit = 0
            auth allow insecure global id reclaim = false
            mon warn on insecure global id reclaim allowed = false

            [client]
            admin socket = {dir}/run/$cluster-$name.$pid.$cctid.asok

            [mon]
            {paxos}
            # no mgr runs: otherwise HEALTH_WARN MGR_DOWN appears 120 s after mkfs
            mon mgr mkfs grace = 31536000
            admin socket = {dir}/run/$cluster-$name.asok
            mon data = {dir}/mon/$cluster-$id
            mon cluster log file = {dir}/log/$cluster.log

            [osd]
            admin socket = {dir}/run/$cluster-$name.asok
            osd data = {dir}/$name
            osd objectstore = memstore
            memstore device bytes = 268435456
            osd memory target = 268435456
            osd class dir = /usr/lib/x86_64-linux-gnu/rados-classes
            {string.Concat(Options.OsdSettings.Select(setting => $"{setting.Key} = {setting.Value}\n"))}
            """;
    }
}
