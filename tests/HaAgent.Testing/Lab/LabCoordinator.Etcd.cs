using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace HaAgent.Testing.Lab;

public sealed partial class LabCoordinator
{
    /// <summary>nft table that cuts one host off from etcd (output to etcd's port dropped in the host's namespace).</summary>
    private const string EtcdCutTable = "haagent_etcdcut";

    /// <summary>
    /// A coordinator ON hypervisor host <paramref name="host"/> (its network, PID and mount namespace and its cgroup, beside
    /// its agent: a kill -9 of the host kills it too) with the etcd store: listens on http://127.99.N.1:8080 for agents and
    /// on a unix socket in the lab directory for the caller. Every instance of a cluster shares etcd, the key prefix, the
    /// host secrets and the operator token; none is special.
    /// </summary>
    internal static Process StartOnHost(
        Lab lab, LabHost host, string instanceId, string directory, string socket, string token, string secretDirectory, string etcdUrl,
        IReadOnlyDictionary<string, string> leaderUrls)
    {
        System.IO.Directory.CreateDirectory(directory);
        var arguments = new List<string>
        {
            LabPrograms.Coordinator,
            "--urls", $"{HostUrl(host)};http://unix:{socket}",
            "--Store:Kind=Etcd",
            $"--Store:Etcd:Endpoints={etcdUrl}",
            "--Store:Etcd:KeyPrefix=/haagent-lab/",
            $"--Store:Etcd:InstanceId={instanceId}",
            "--Api:Tokens:0:Name=demo",
            $"--Api:Tokens:0:Token={token}",
            "--Api:Tokens:0:Role=admin",
            $"--Agents:SecretDirectory={secretDirectory}",
            "--Agents:PollSeconds=10",
            $"--Engine:StorageHeartbeat:Ceph:ConfigFile={lab.Ceph.ConfigPath}",
            $"--Engine:StorageHeartbeat:Ceph:ClientName={lab.Ceph.Admin.Name}",
            $"--Engine:StorageHeartbeat:Ceph:Keyring={lab.Ceph.Admin.KeyringPath}",
            $"--Engine:StorageHeartbeat:Ceph:Pool={lab.Pool}",
        };
        // The 503 leader hint: the store knows instance ids, agents need URLs.
        arguments.AddRange(leaderUrls.Select(u => $"--Agents:LeaderUrls:{u.Key}={u.Value}"));
        return host.StartProcess(
            LabPrograms.Dotnet,
            arguments,
            Path.Combine(directory, "coordinator.log"),
            new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["ASPNETCORE_ENVIRONMENT"] = "Production" });
    }

    internal static LabCoordinator Attach(Process process, string directory, string socket, string token, string secretDirectory, string instanceId, LabHost host) =>
        new(process, directory, socket, token, secretDirectory, instanceId, host, HostUrl(host));

    /// <summary>http://127.99.N.1:8080/ — where agents reach the coordinator of host N.</summary>
    public static string HostUrl(LabHost host) => string.Create(CultureInfo.InvariantCulture, $"http://{host.Address}:{Port}/");

    public string LogFile => Path.Combine(Directory, "coordinator.log");

    /// <summary>
    /// The root-namespace PID of the coordinator process itself (on a host, the child nsenter forked into the host's PID
    /// namespace), null when it is gone.
    /// </summary>
    public int? CoordinatorPid
    {
        get
        {
            if (Host is null)
            {
                return ProcessKiller.IsAlive(_process.Id) ? _process.Id : null;
            }
            try
            {
                var children = File.ReadAllText($"/proc/{_process.Id}/task/{_process.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return children.Length > 0 ? int.Parse(children[0], CultureInfo.InvariantCulture) : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    /// <summary>Whether the coordinator process still exists (a frozen one does).</summary>
    public bool IsAlive => CoordinatorPid is { } pid && ProcessKiller.IsAlive(pid);

    /// <summary>kill -9 of the coordinator process alone (its host, agent and VMs stay up).</summary>
    public void Kill()
    {
        if (CoordinatorPid is { } pid)
        {
            Signal(pid, "-KILL");
            ProcessKiller.KillAndWait(pid, TimeSpan.FromSeconds(5));
        }
        _process.WaitForExit(5000);
    }

    /// <summary>SIGSTOP of the coordinator process alone: it keeps its sockets and answers nothing, like a long GC pause.</summary>
    public void Pause() => Signal(CoordinatorPid ?? throw new InvalidOperationException($"{InstanceId} is not running"), "-STOP");

    public void Resume() => Signal(CoordinatorPid ?? throw new InvalidOperationException($"{InstanceId} is not running"), "-CONT");

    /// <summary>
    /// Cuts this coordinator's host off from etcd only: nft in the host's namespace drops everything it sends to
    /// 127.99.0.1:2379. Agents still reach the coordinator; Ceph is untouched.
    /// </summary>
    public async Task CutFromEtcdAsync(CancellationToken cancellationToken = default)
    {
        var host = Host ?? throw new InvalidOperationException("only a coordinator on a host can be cut from etcd");
        var rules = string.Create(CultureInfo.InvariantCulture,
            $"table inet {EtcdCutTable} {{ chain out {{ type filter hook output priority 0; policy accept; ip daddr {LabAddresses.Storage} tcp dport {Lab.EtcdClientPort} drop; }}; }}");
        (await ProcessRunner.RunAsync("ip", ["netns", "exec", host.Namespace, "nft", "-f", "-"], TimeSpan.FromSeconds(10), standardInput: rules, cancellationToken: cancellationToken)
            .ConfigureAwait(false)).EnsureSuccess($"nft cut of {host.Name} from etcd");
    }

    public async Task RestoreEtcdAsync(CancellationToken cancellationToken = default)
    {
        var host = Host ?? throw new InvalidOperationException("only a coordinator on a host can be cut from etcd");
        (await ProcessRunner.RunAsync("ip", ["netns", "exec", host.Namespace, "nft", "delete", "table", "inet", EtcdCutTable], TimeSpan.FromSeconds(10), cancellationToken: cancellationToken)
            .ConfigureAwait(false)).EnsureSuccess($"nft restore of {host.Name} to etcd");
    }

    /// <summary>/readyz, bounded: whether this instance leads and whom the store names as leader; null when it does not answer.</summary>
    public async Task<LabReadiness?> ReadinessAsync(TimeSpan bound, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(bound);
        try
        {
            using var response = await _http.GetAsync("readyz", timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return new LabReadiness(InstanceId, false, null, 0, body);
            }
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var leading = root.TryGetProperty("leading", out var l) && l.ValueKind == JsonValueKind.True;
            string? leader = null;
            long epoch = 0;
            if (root.TryGetProperty("leader", out var who) && who.ValueKind == JsonValueKind.Object)
            {
                leader = who.GetProperty("instanceId").GetString();
                epoch = who.GetProperty("epoch").GetInt64();
            }
            return new LabReadiness(InstanceId, leading, leader, epoch, body);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or IOException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            return null;
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill")
        {
            ArgumentList = { signal, pid.ToString(CultureInfo.InvariantCulture) },
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not run kill");
        if (!kill.WaitForExit(5000))
        {
            throw new TimeoutException($"kill {signal} {pid} did not finish");
        }
    }
}
