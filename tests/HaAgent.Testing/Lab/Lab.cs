using System.Diagnostics;
using System.Globalization;
using HaAgent.Testing.Ceph;

namespace HaAgent.Testing.Lab;

/// <summary>
/// Several "machines" on one box: a storage namespace running a throwaway Ceph cluster (mon + OSD on 127.99.0.1:3300,
/// one RBD pool with images) and hosts h1..hN (127.99.N.1), each with its own network namespace, cgroup and private
/// libvirtd holding the Ceph secret, all joined by one bridge. Hosts can be killed (kill -9 of everything), frozen
/// and cut off the network; the storage side fences a host by blocklisting its whole IP and reads images back.
/// Everything is torn down on dispose, by cgroup, PID and name, also after a failed start; a lab whose owning process
/// died is swept by the next lab that starts.
/// </summary>
public sealed partial class Lab : IAsyncDisposable, IDisposable
{
    public const string StorageRole = "st";

    private readonly List<LabHost> _hosts = [];
    private readonly List<(string Step, TimeSpan At)> _timings = [];
    private readonly TempDirectory _directory;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private LabCgroup? _root;
    private LabNetwork? _network;

    private Lab(LabOptions options)
    {
        Options = options;
        Id = Guid.NewGuid().ToString("N")[..4];
        _directory = new TempDirectory($"lab-{Id}");
    }

    public LabOptions Options { get; }

    /// <summary>Short random id in every name of this lab (namespaces haagent-ID-*, bridge hbID, cgroup haagent-lab-ID).</summary>
    public string Id { get; }

    public string Directory => _directory.Path;

    public LabNetwork Network => _network ?? throw new InvalidOperationException("lab not started");

    public CephCluster Ceph { get; private set; } = null!;

    public IReadOnlyList<LabHost> Hosts => _hosts;

    public LabHost Host(string name) => _hosts.Single(h => h.Name == name);

    /// <summary>The storage namespace (Ceph; the coordinator in the full scenario).</summary>
    public string StorageNamespace => Network.Namespace(StorageRole);

    /// <summary>UUID of the libvirt ceph secret every host holds (client.admin's key).</summary>
    public Guid SecretUuid { get; } = Guid.NewGuid();

    public string Pool => Ceph.Pool;

    public TimeSpan StartupTime { get; private set; }

    /// <summary>When each bring-up step finished, from the start.</summary>
    public IReadOnlyList<(string Step, TimeSpan At)> Timings => _timings;

    public static async Task<Lab> StartAsync(LabOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LabOptions();
        LabSweeper.SweepOrphans();
        var lab = new Lab(options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.StartTimeout);
        try
        {
            await lab.StartCoreAsync(deadline.Token).ConfigureAwait(false);
            return lab;
        }
        catch (Exception ex)
        {
            lab.Dispose();
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"lab did not start within {options.StartTimeout}", ex);
            }
            throw;
        }
    }

    /// <summary>A VM definition whose disk is <paramref name="image"/> (default: an image named like the VM).</summary>
    public LabVmDefinition DefineVm(string name, string? image = null) => LabVmDefinition.Create(name, Pool, image ?? name, SecretUuid);

    /// <summary>Creates another RBD image in the pool.</summary>
    public async Task CreateImageAsync(string image, int sizeMiB, CancellationToken cancellationToken = default) =>
        (await Ceph.ClientCommandAsync("rbd", ["-c", Ceph.ConfigPath, "create", $"{Pool}/{image}", "--size", $"{sizeMiB}M"], TimeSpan.FromSeconds(20), cancellationToken)
            .ConfigureAwait(false)).EnsureSuccess($"rbd create {image}");

    /// <summary>Reads the whole image back from the storage namespace (rbd export as client.admin).</summary>
    public async Task<ImageReadBack> ReadImageAsync(string image, CancellationToken cancellationToken = default)
    {
        var file = Path.Combine(Directory, $"readback-{image}-{Guid.NewGuid():N}.bin");
        try
        {
            (await Ceph.ClientCommandAsync("rbd", ["-c", Ceph.ConfigPath, "export", "--no-progress", $"{Pool}/{image}", file], TimeSpan.FromSeconds(30), cancellationToken)
                .ConfigureAwait(false)).EnsureSuccess($"rbd export {image}");
            return new ImageReadBack(image, await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Fences <paramref name="host"/> the way the agent does for a whole host: blocklist <c>IP:0/0</c> (every client of
    /// that IP: its QEMUs, its agent), then the all-PG barrier — a fresh client, which holds the osdmap carrying the
    /// entry, lists every PG of the pool; an OSD serves an op only once it holds the op's epoch, so after that no PG can
    /// still acknowledge the fenced host (see notes/ceph.md pitfall 1).
    /// </summary>
    public async Task<LabFence> FenceHostAsync(LabHost host, CancellationToken cancellationToken = default)
    {
        var entry = $"{host.Address}:0/0";
        var started = Stopwatch.StartNew();
        (await Ceph.CephAsync(["osd", "blocklist", "add", entry, "3600"], cancellationToken).ConfigureAwait(false)).EnsureSuccess($"blocklist {entry}");
        var blocklisted = started.Elapsed;
        (await Ceph.ClientCommandAsync("rados", ["-c", Ceph.ConfigPath, "-p", Pool, "ls"], TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false))
            .EnsureSuccess("all-PG barrier (rados ls)");
        var fence = new LabFence(host.Name, entry, blocklisted, started.Elapsed - blocklisted);
        Say($"fenced {host.Name}: blocklist {entry} in {fence.BlocklistTime.TotalMilliseconds:F0} ms, all-PG barrier {fence.BarrierTime.TotalMilliseconds:F0} ms");
        return fence;
    }

    /// <summary>Removes the whole-IP entry. The host's old clients write again afterwards: only after they are dead.</summary>
    public async Task UnfenceHostAsync(LabHost host, CancellationToken cancellationToken = default) =>
        (await Ceph.CephAsync(["osd", "blocklist", "rm", $"{host.Address}:0/0"], cancellationToken).ConfigureAwait(false)).EnsureSuccess($"unblocklist {host.Name}");

    /// <summary>Starts a process in the storage namespace (the coordinator), inside the lab's cgroup.</summary>
    public Process StartInStorage(string program, IEnumerable<string> arguments, string logFile, IReadOnlyDictionary<string, string>? environment = null) =>
        StorageHost.StartProcess(program, arguments, logFile, environment);

    /// <summary>The storage namespace seen as a process container (no libvirtd runs there).</summary>
    private LabHost StorageHost { get; set; } = null!;

    public void Say(string message) => Options.Log?.Invoke(message);

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        var cgroupRoot = LabCgroup.FindRoot() ?? throw new InvalidOperationException("no cgroup2 mount");
        _root = new LabCgroup(Path.Combine(cgroupRoot, LabSweeper.CgroupPrefix + Id));
        LabSweeper.WriteOwner(Directory, Id);

        var members = new List<(string, string)> { (StorageRole, LabAddresses.Storage) };
        for (var n = 1; n <= Options.Hosts; n++)
        {
            members.Add(($"h{n}", LabAddresses.Host(n)));
        }
        _network = await LabNetwork.CreateAsync(Id, members, cancellationToken).ConfigureAwait(false);
        Step($"network: bridge {Network.Bridge}, namespaces {string.Join(", ", members.Select(m => $"{Network.Namespace(m.Item1)}={m.Item2}"))}");

        StorageHost = new LabHost(StorageRole, 0, Network, Path.Combine(Directory, StorageRole), new LabCgroup(Path.Combine(_root.Path, StorageRole)));
        for (var n = 1; n <= Options.Hosts; n++)
        {
            var name = $"h{n}";
            _hosts.Add(new LabHost(name, n, Network, Path.Combine(Directory, name), new LabCgroup(Path.Combine(_root.Path, name))));
        }

        var ceph = StartCephAsync(cancellationToken);
        // libvirtd needs no Ceph until a VM starts: both come up side by side. With an empty capability cache the first
        // host probes QEMU alone (seconds of CPU) and the others start from its result.
        var remaining = _hosts.AsEnumerable();
        if (!QemuCapabilityCache.IsSeeded && _hosts.Count > 1)
        {
            await _hosts[0].StartLibvirtdAsync(cancellationToken).ConfigureAwait(false);
            Step($"libvirtd {_hosts[0].Name} (QEMU capability probe, cached for later hosts and labs)");
            remaining = _hosts.Skip(1);
        }
        await Task.WhenAll(remaining.Select(h => h.StartLibvirtdAsync(cancellationToken))).ConfigureAwait(false);
        Step($"libvirtd on {string.Join(", ", _hosts.Select(h => $"{h.Name} {h.LibvirtdReadyTime.TotalSeconds:F1} s"))}");
        await ceph.ConfigureAwait(false);
        var secretXml = $"<secret ephemeral='no' private='yes'><uuid>{SecretUuid}</uuid><usage type='ceph'><name>lab {Id} client.admin</name></usage></secret>";
        await Task.WhenAll(_hosts.Select(h => h.DefineCephSecretAsync(secretXml, SecretUuid, Ceph.Admin.Key, cancellationToken))).ConfigureAwait(false);
        Step("ceph secret in every libvirtd");
        StartupTime = _clock.Elapsed;
        Say($"lab {Id} up in {StartupTime.TotalSeconds:F1} s");
    }

    private async Task StartCephAsync(CancellationToken cancellationToken)
    {
        var start = CephCluster.StartAsync(
            new CephClusterOptions
            {
                FastPaxos = Options.FastPaxos,
                BindAddress = LabAddresses.Storage,
                PublicNetwork = LabAddresses.Network,
                MonPort = LabAddresses.CephMonPort,
                NetworkNamespace = StorageNamespace,
            },
            cancellationToken);
        Ceph = await start.ConfigureAwait(false);
        foreach (var pid in Ceph.DaemonPids)
        {
            StorageHost.Cgroup.Adopt(pid); // so a sweep after a crash of this process finds them
        }
        Step($"ceph in {StorageNamespace}: mon v2:{LabAddresses.Storage}:{LabAddresses.CephMonPort}, pool {Ceph.Pool} ({Ceph.StartupTime.TotalSeconds:F1} s)");
        foreach (var image in Options.Images)
        {
            await CreateImageAsync(image, Options.ImageSizeMiB, cancellationToken).ConfigureAwait(false);
        }
        Step($"rbd images {string.Join(", ", Options.Images)} ({Options.ImageSizeMiB} MiB)");
    }

    private void Step(string what)
    {
        var at = _clock.Elapsed;
        lock (_timings)
        {
            _timings.Add((what, at));
        }
        Say(string.Create(CultureInfo.InvariantCulture, $"{what} (at {at.TotalSeconds:F1} s)"));
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
        DisposeEtcds();
        StorageHost?.Dispose();
        Ceph?.Dispose();
        _root?.Dispose();
        _network?.Dispose();
        if (_network is null)
        {
            LabNetwork.Remove(Id); // a failed network setup may have left part of itself
        }
        _directory.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
