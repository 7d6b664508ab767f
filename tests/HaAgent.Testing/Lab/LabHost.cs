using System.Diagnostics;
using System.Globalization;

namespace HaAgent.Testing.Lab;

/// <summary>
/// One hypervisor "host" of the lab: its own network namespace (address 127.99.N.1), its own cgroup holding every
/// process started for it, and a private system-mode libvirtd (own mount namespace over /run/libvirt, /var/lib/libvirt,
/// /var/cache/libvirt, /var/log/libvirt, /etc/libvirt) reached from the root namespace through its unix socket.
/// </summary>
public sealed class LabHost : IDisposable
{
    private static readonly string[] LibvirtMountPoints = ["/run/libvirt", "/var/lib/libvirt", "/var/cache/libvirt", "/var/log/libvirt", "/etc/libvirt"];

    private readonly LabNetwork _network;
    private readonly List<Process> _processes = [];
    private int? _initPid;

    internal LabHost(string name, int number, LabNetwork network, string directory, LabCgroup cgroup)
    {
        Name = name;
        Number = number;
        _network = network;
        Directory = directory;
        Cgroup = cgroup;
        foreach (var sub in new[] { "run", "lib", "cache", "log", "etc" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(directory, sub));
        }
    }

    public string Name { get; }

    public int Number { get; }

    public string Address => LabAddresses.Host(Number);

    public string Namespace => _network.Namespace(Name);

    /// <summary>The host's files; libvirtd sees them as /run/libvirt (run), /var/log/libvirt (log), ...</summary>
    public string Directory { get; }

    public LabCgroup Cgroup { get; }

    /// <summary>The host's libvirtd, usable from the root namespace and from the host's own (unix sockets are not namespaced).</summary>
    public string LibvirtUri => $"qemu+unix:///system?socket={Path.Combine(Directory, "run", "libvirt-sock")}";

    /// <summary>libvirt's QEMU pid files (what the agent's Libvirt.QemuPidDirectory must point at).</summary>
    public string QemuPidDirectory => Path.Combine(Directory, "run", "qemu");

    public string DomainLog(string vm) => Path.Combine(Directory, "log", "qemu", vm + ".log");

    public int? LibvirtdPid { get; private set; }

    public TimeSpan LibvirtdReadyTime { get; private set; }

    public bool IsFrozen => Cgroup.IsFrozen;

    /// <summary>
    /// Starts <paramref name="program"/> inside this host: its cgroup (so freeze, kill and teardown reach it), its
    /// network namespace and — once the host's init runs (every hypervisor host) — its own PID and mount namespaces, so
    /// the host sees only its own processes in /proc (an agent scanning /proc for QEMUs must not find another host's)
    /// and its own /run/libvirt, /var/lib/libvirt, ... stdout and stderr are appended to <paramref name="logFile"/>.
    /// </summary>
    public Process StartProcess(string program, IEnumerable<string> arguments, string logFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        // Join the cgroup before exec: every child (QEMU daemonizing away from libvirtd included) is born inside it.
        startInfo.ArgumentList.Add(_initPid is null
            ? "echo $$ > \"$HAAGENT_LAB_CGROUP\" && exec ip netns exec \"$HAAGENT_LAB_NS\" \"$@\" >>\"$HAAGENT_LAB_LOG\" 2>&1 </dev/null"
            : "echo $$ > \"$HAAGENT_LAB_CGROUP\" && exec nsenter -t \"$HAAGENT_LAB_INIT\" -p -m -n \"$@\" >>\"$HAAGENT_LAB_LOG\" 2>&1 </dev/null");
        startInfo.ArgumentList.Add("sh");
        startInfo.ArgumentList.Add(ProcessRunner.Which(program) ?? program);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        startInfo.Environment["HAAGENT_LAB_CGROUP"] = Cgroup.ProcsFile;
        startInfo.Environment["HAAGENT_LAB_NS"] = Namespace;
        startInfo.Environment["HAAGENT_LAB_LOG"] = logFile;
        if (_initPid is { } init)
        {
            startInfo.Environment["HAAGENT_LAB_INIT"] = init.ToString(CultureInfo.InvariantCulture);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {program} in {Name}");
        lock (_processes)
        {
            _processes.Add(process);
        }
        return process;
    }

    /// <summary>
    /// The root-namespace PID of the host process whose PID inside the host's PID namespace is <paramref name="hostPid"/>
    /// (pid files written inside the host hold those), or null when none of the host's processes has it.
    /// </summary>
    public int? OuterPid(int hostPid)
    {
        if (_initPid is null)
        {
            return hostPid;
        }
        foreach (var pid in Cgroup.Pids())
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                {
                    if (line.StartsWith("NSpid:", StringComparison.Ordinal))
                    {
                        var ids = line["NSpid:".Length..].Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries);
                        if (ids.Length > 1 && ids[^1] == hostPid.ToString(CultureInfo.InvariantCulture))
                        {
                            return pid;
                        }
                        break;
                    }
                }
            }
            catch (IOException)
            {
            }
        }
        return null;
    }

    /// <summary>Runs virsh against this host's libvirtd, bounded.</summary>
    public Task<ProcessRunner.Result> VirshAsync(IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ProcessRunner.RunAsync("virsh", ["-c", LibvirtUri, .. arguments], timeout ?? TimeSpan.FromSeconds(30), cancellationToken: cancellationToken);

    /// <summary>Defines <paramref name="definition"/> in this host's libvirtd and starts it.</summary>
    public async Task<LabVm> StartVmAsync(LabVmDefinition definition, CancellationToken cancellationToken = default)
    {
        var xmlFile = Path.Combine(Directory, definition.Name + ".xml");
        await File.WriteAllTextAsync(xmlFile, definition.Xml, cancellationToken).ConfigureAwait(false);
        (await VirshAsync(["define", xmlFile], cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess($"virsh define {definition.Name} on {Name}");
        (await VirshAsync(["start", definition.Name], cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess($"virsh start {definition.Name} on {Name}");
        return new LabVm(this, definition);
    }

    /// <summary>Whether a TCP connect from inside this host's namespace to <paramref name="address"/>:<paramref name="port"/> succeeds (bounded).</summary>
    public async Task<bool> CanConnectAsync(string address, int port, CancellationToken cancellationToken = default)
    {
        try
        {
            var probe = await ProcessRunner.RunAsync(
                "ip",
                ["netns", "exec", Namespace, "bash", "-c", string.Create(CultureInfo.InvariantCulture, $"exec 3<>/dev/tcp/{address}/{port}")],
                TimeSpan.FromSeconds(5),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return probe.ExitCode == 0;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>A handle on a domain someone else started here (the agent, on the coordinator's order).</summary>
    public LabVm AttachVm(LabVmDefinition definition) => new(this, definition);

    /// <summary>True when this host's libvirtd lists <paramref name="vm"/> as running (bounded; false when it does not answer).</summary>
    public async Task<bool> IsRunningAsync(string vm, CancellationToken cancellationToken = default)
    {
        try
        {
            var state = await VirshAsync(["domstate", vm], TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            return state.ExitCode == 0 && state.StandardOutput.Trim() == "running";
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>kill -9 of every process of the host (libvirtd, QEMU, agent) at once: a host that lost power.</summary>
    public void Kill() => Cgroup.Kill();

    /// <summary>Freezes every process of the host: a host hung in the kernel, alive again after <see cref="Thaw"/>.</summary>
    public void Freeze() => Cgroup.Freeze();

    public void Thaw() => Cgroup.Thaw();

    /// <summary>Link down on the bridge: the host can neither reach storage nor be reached.</summary>
    public Task CutNetworkAsync(CancellationToken cancellationToken = default) => _network.SetLinkAsync(Name, up: false, cancellationToken);

    public Task RestoreNetworkAsync(CancellationToken cancellationToken = default) => _network.SetLinkAsync(Name, up: true, cancellationToken);

    internal async Task StartLibvirtdAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        WriteLibvirtConfiguration();
        QemuCapabilityCache.SeedInto(Path.Combine(Directory, "cache"));
        await StartInitAsync(cancellationToken).ConfigureAwait(false);
        var libvirtd = StartProcess("libvirtd", ["-f", "/etc/libvirt/libvirtd.conf", "-p", "/run/libvirt/libvirtd.pid"], Path.Combine(Directory, "libvirtd.out"));

        var socket = Path.Combine(Directory, "run", "libvirt-sock");
        while (!File.Exists(socket))
        {
            if (libvirtd.HasExited)
            {
                throw new InvalidOperationException($"libvirtd of {Name} exited with {libvirtd.ExitCode}; see {Directory}/libvirtd.out and log/libvirtd.log");
            }
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        // The first connection waits for the QEMU capability probe (seconds unless the cache was seeded).
        (await VirshAsync(["version"], TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false)).EnsureSuccess($"first connection to libvirtd of {Name}");
        QemuCapabilityCache.SaveFrom(Path.Combine(Directory, "cache"));
        LibvirtdPid = int.TryParse(File.ReadAllText(Path.Combine(Directory, "run", "libvirtd.pid")).Trim(), CultureInfo.InvariantCulture, out var inner)
            ? OuterPid(inner)
            : null;
        LibvirtdReadyTime = started.Elapsed;
    }

    /// <summary>
    /// The host's init: PID 1 of a new PID namespace (bash, which reaps the orphans a daemonizing QEMU leaves) in a new
    /// mount namespace with /proc of that PID namespace and the host's directories bind-mounted over libvirt's paths
    /// (and a passwd/group carrying libvirt-qemu). Every later host process enters its namespaces with nsenter.
    /// </summary>
    private async Task StartInitAsync(CancellationToken cancellationToken)
    {
        foreach (var mountPoint in LibvirtMountPoints)
        {
            System.IO.Directory.CreateDirectory(mountPoint); // bind-mount targets; empty on a machine without libvirt-daemon-system
        }
        var ready = Path.Combine(Directory, "init.ready");
        var mounts = string.Join(" && ", new[]
        {
            ("run", "/run/libvirt"), ("lib", "/var/lib/libvirt"), ("cache", "/var/cache/libvirt"),
            ("log", "/var/log/libvirt"), ("etc", "/etc/libvirt"), ("passwd", "/etc/passwd"), ("group", "/etc/group"),
        }.Select(m => $"mount --bind '{Path.Combine(Directory, m.Item1)}' {m.Item2}"));
        var holder = StartProcess(
            "unshare",
            ["--pid", "--fork", "--mount-proc", "--mount", "--propagation", "private", "/bin/bash", "-c",
                $"{mounts} && touch '{ready}' && while :; do sleep 3600; done"],
            Path.Combine(Directory, "init.out"));
        while (!File.Exists(ready))
        {
            if (holder.HasExited)
            {
                throw new InvalidOperationException($"the init of {Name} exited with {holder.ExitCode}; see {Directory}/init.out");
            }
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        // unshare --fork: our child is unshare, its only child is the namespace's PID 1.
        var children = File.ReadAllText($"/proc/{holder.Id}/task/{holder.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        _initPid = int.Parse(children.Single(), CultureInfo.InvariantCulture);
    }

    /// <summary>The libvirt secret a disk's &lt;auth&gt; names: the Ceph key QEMU's librbd authenticates with.</summary>
    internal async Task DefineCephSecretAsync(string cephSecretXml, Guid secretUuid, string cephKey, CancellationToken cancellationToken)
    {
        var secretFile = Path.Combine(Directory, "ceph-secret.xml");
        await File.WriteAllTextAsync(secretFile, cephSecretXml, cancellationToken).ConfigureAwait(false);
        var keyFile = Path.Combine(Directory, "ceph-secret.key");
        await File.WriteAllTextAsync(keyFile, cephKey, cancellationToken).ConfigureAwait(false);
        (await VirshAsync(["secret-define", secretFile], cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess($"secret-define on {Name}");
        (await VirshAsync(["secret-set-value", secretUuid.ToString(), "--file", keyFile], cancellationToken: cancellationToken).ConfigureAwait(false))
            .EnsureSuccess($"secret-set-value on {Name}");
    }

    private void WriteLibvirtConfiguration()
    {
        File.WriteAllText(Path.Combine(Directory, "etc", "libvirtd.conf"), """
            unix_sock_dir = "/run/libvirt"
            auth_unix_rw = "none"
            auth_unix_ro = "none"
            log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
            """);
        // Root QEMU without dynamic ownership, security driver or cgroups: the lab host's cgroup must keep QEMU.
        File.WriteAllText(Path.Combine(Directory, "etc", "qemu.conf"), """
            user = "root"
            group = "root"
            dynamic_ownership = 0
            remember_owner = 0
            security_driver = "none"
            stdio_handler = "file"
            cgroup_controllers = [ ]
            """);
        // libvirtd resolves its default QEMU user before reading qemu.conf: a private passwd/group (bind-mounted in its
        // mount namespace only) carries libvirt-qemu, so the machine needs no extra users.
        File.WriteAllText(Path.Combine(Directory, "passwd"), File.ReadAllText("/etc/passwd").TrimEnd('\n') + "\nlibvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin\n");
        File.WriteAllText(Path.Combine(Directory, "group"), File.ReadAllText("/etc/group").TrimEnd('\n') + "\nlibvirt-qemu:x:64055:\nlibvirt:x:64056:\n");
    }

    /// <summary>Kills everything of the host (thawing it first) and forgets the processes; never throws.</summary>
    public void Dispose()
    {
        Cgroup.Dispose();
        lock (_processes)
        {
            foreach (var process in _processes)
            {
                try
                {
                    ProcessKiller.KillAndWait(process.Id, TimeSpan.FromSeconds(2));
                    process.WaitForExit(2000);
                }
                catch (InvalidOperationException)
                {
                }
                process.Dispose();
            }
            _processes.Clear();
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Address}, netns {Namespace})");
}
