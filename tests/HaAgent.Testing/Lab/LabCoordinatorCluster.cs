using System.Diagnostics;
using System.Globalization;
using HaAgent.Testing.Etcd;

namespace HaAgent.Testing.Lab;

/// <summary>
/// The coordinator service deployed symmetrically: etcd in the storage namespace (127.99.0.1:2379) and one coordinator
/// per hypervisor host, each inside its host (namespaces + cgroup) on http://127.99.N.1:8080, all campaigning on the same
/// etcd. Agents get every instance's URL. The caller reaches each instance over its unix socket. Faults: kill -9 of
/// a host (takes its coordinator along), of one coordinator, SIGSTOP/SIGCONT, cutting one host off from etcd.
/// </summary>
public sealed class LabCoordinatorCluster : IAsyncDisposable
{
    private readonly List<LabCoordinator> _coordinators;

    private LabCoordinatorCluster(Lab lab, EtcdServer etcd, List<LabCoordinator> coordinators, string secretDirectory, string token)
    {
        Lab = lab;
        Etcd = etcd;
        _coordinators = coordinators;
        SecretDirectory = secretDirectory;
        Token = token;
    }

    public Lab Lab { get; }

    public EtcdServer Etcd { get; }

    public IReadOnlyList<LabCoordinator> Coordinators => _coordinators;

    public string SecretDirectory { get; }

    public string Token { get; }

    /// <summary>What every agent puts in CoordinatorEndpoints: all instances.</summary>
    public IReadOnlyList<string> AgentEndpoints => [.. _coordinators.Select(c => c.AgentUrl)];

    public string SecretFile(string hostId) => Path.Combine(SecretDirectory, hostId + ".key");

    /// <summary>The coordinator running on <paramref name="host"/>.</summary>
    public LabCoordinator On(LabHost host) => _coordinators.Single(c => c.Host == host);

    /// <summary>
    /// etcd in the storage namespace, then one coordinator per host of <paramref name="hosts"/> (instance ids c1..cN by
    /// host number), started together; returns once one of them leads (bounded).
    /// </summary>
    public static async Task<LabCoordinatorCluster> StartAsync(Lab lab, IReadOnlyList<LabHost> hosts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(hosts);
        var etcd = await lab.StartEtcdAsync(cancellationToken).ConfigureAwait(false);
        var root = Path.Combine(lab.Directory, "coordinators");
        var secrets = Path.Combine(root, "secrets");
        Directory.CreateDirectory(secrets);
        foreach (var host in lab.Hosts)
        {
            // ≥ 32 random bytes, base64 (TRANSPORT.md); every coordinator and the host's agent read the same file.
            await File.WriteAllTextAsync(Path.Combine(secrets, host.Name + ".key"), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), cancellationToken)
                .ConfigureAwait(false);
        }
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var leaderUrls = hosts.ToDictionary(h => InstanceIdOf(h), LabCoordinator.HostUrl, StringComparer.Ordinal);
        var coordinators = new List<LabCoordinator>();
        foreach (var host in hosts)
        {
            var id = InstanceIdOf(host);
            var directory = Path.Combine(root, id);
            var socket = Path.Combine(directory, "api.sock");
            var process = LabCoordinator.StartOnHost(lab, host, id, directory, socket, token, secrets, etcd.ClientUrl, leaderUrls);
            coordinators.Add(LabCoordinator.Attach(process, directory, socket, token, secrets, id, host));
        }
        var cluster = new LabCoordinatorCluster(lab, etcd, coordinators, secrets, token);
        try
        {
            var clock = Stopwatch.StartNew();
            var (leader, epoch) = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(60), cancellationToken: cancellationToken).ConfigureAwait(false)
                ?? throw new TimeoutException($"no coordinator led within 60 s; logs in {root}");
            lab.Say(string.Create(CultureInfo.InvariantCulture,
                $"coordinators {string.Join(", ", coordinators.Select(c => $"{c.InstanceId} on {c.Host!.Name} ({c.AgentUrl})"))} on etcd {etcd.ClientUrl}; {leader.InstanceId} leads with epoch {epoch} after {clock.Elapsed.TotalSeconds:F1} s"));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static string InstanceIdOf(LabHost host) => "c" + host.Number.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Polls /readyz of every running coordinator (or of <paramref name="among"/>) until one says it leads with an epoch
    /// above <paramref name="aboveEpoch"/>; null when none did within <paramref name="bound"/>.
    /// </summary>
    public async Task<(LabCoordinator Leader, long Epoch)?> WaitForLeaderAsync(
        TimeSpan bound, long aboveEpoch = 0, IEnumerable<LabCoordinator>? among = null, CancellationToken cancellationToken = default)
    {
        var candidates = (among ?? _coordinators).ToList();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < bound)
        {
            var answers = await Task.WhenAll(candidates.Where(c => c.IsAlive).Select(c => c.ReadinessAsync(TimeSpan.FromSeconds(1.5), cancellationToken))).ConfigureAwait(false);
            var leading = answers.FirstOrDefault(a => a is { Leading: true } && a.Epoch > aboveEpoch);
            if (leading is not null)
            {
                return (candidates.Single(c => c.InstanceId == leading.Instance), leading.Epoch);
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>
    /// Makes <paramref name="target"/> the leader: when another instance leads, every other instance is cut off from etcd
    /// (so the leader's lease runs out and only the target can campaign) until the target leads, then reconnected (they
    /// stay followers: the leader key is taken). Returns the target's epoch; null when it did not lead within the bound.
    /// </summary>
    public async Task<long?> MoveLeadershipToAsync(LabCoordinator target, TimeSpan bound, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (await WaitForLeaderAsync(TimeSpan.FromSeconds(5), cancellationToken: cancellationToken).ConfigureAwait(false) is { } current && current.Leader == target)
        {
            return current.Epoch;
        }
        var others = _coordinators.Where(c => c != target && c.IsAlive).ToList();
        foreach (var other in others)
        {
            await other.CutFromEtcdAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            var led = await WaitForLeaderAsync(bound, among: [target], cancellationToken: cancellationToken).ConfigureAwait(false);
            Lab.Say(led is { } l ? $"leadership moved to {target.InstanceId} (epoch {l.Epoch})" : $"leadership did not move to {target.InstanceId} within {bound}");
            return led?.Epoch;
        }
        finally
        {
            foreach (var other in others)
            {
                await other.RestoreEtcdAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The audit log read through the first of <paramref name="via"/> (default: any running coordinator) that answers.</summary>
    public async Task<IReadOnlyList<LabAuditRecord>> ReadAuditAsync(IEnumerable<LabCoordinator>? via = null, CancellationToken cancellationToken = default)
    {
        Exception? last = null;
        foreach (var coordinator in (via ?? _coordinators).Where(c => c.IsAlive))
        {
            try
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bound.CancelAfter(TimeSpan.FromSeconds(5));
                return await coordinator.ReadAuditAsync(bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException or IOException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                last = ex;
            }
        }
        throw new InvalidOperationException("no coordinator answered GET /v1/audit", last);
    }

    /// <summary>Polls the audit log (through any running coordinator) until a record matches; null when none did in time.</summary>
    public async Task<LabAuditRecord?> WaitForAuditAsync(Func<LabAuditRecord, bool> match, TimeSpan bound, IEnumerable<LabCoordinator>? via = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var found = (await ReadAuditAsync(via, cancellationToken).ConfigureAwait(false)).FirstOrDefault(match);
                if (found is not null)
                {
                    return found;
                }
            }
            catch (InvalidOperationException) when (clock.Elapsed < bound)
            {
                // Mid-takeover nobody may answer for a moment.
            }
            if (clock.Elapsed > bound)
            {
                return null;
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends an API request to the current leader (found through /readyz, bounded). A 503 (leadership moved between the
    /// look-up and the request — a 2 s lease on a loaded box can change hands while three coordinators start) is retried
    /// on the then-current leader, a few times.
    /// </summary>
    public async Task<(int Status, string Body)> SendToLeaderAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json", CancellationToken cancellationToken = default)
    {
        (int Status, string Body) answer = (0, "");
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var (leader, _) = await WaitForLeaderAsync(TimeSpan.FromSeconds(20), cancellationToken: cancellationToken).ConfigureAwait(false)
                ?? throw new TimeoutException("no coordinator leads");
            answer = await leader.SendAsync(method, path, body, cancellationToken, contentType).ConfigureAwait(false);
            if (answer.Status != 503)
            {
                break;
            }
            Lab.Say($"{method} /{path} → 503 from {leader.InstanceId} (leadership moved); again (attempt {attempt})");
            await Task.Delay(300, cancellationToken).ConfigureAwait(false);
        }
        return answer;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var coordinator in _coordinators)
        {
            try
            {
                if (coordinator.IsAlive)
                {
                    coordinator.Resume(); // a stopped process must run to die cleanly
                }
            }
            catch (InvalidOperationException)
            {
            }
            await coordinator.DisposeAsync().ConfigureAwait(false);
        }
    }
}
