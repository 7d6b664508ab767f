using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace HaAgent.Testing.Lab;

/// <summary>
/// The coordinator service as the lab runs it: inside the lab's storage namespace (so every host namespace reaches it
/// at http://127.99.0.1:PORT, like the Ceph mon), SQLite store in the lab directory, one operator token, one secret per
/// host. The caller (root namespace, which cannot route to 127.99/16) talks to it over a unix socket Kestrel also
/// listens on — unix sockets are not namespaced.
/// </summary>
public sealed partial class LabCoordinator : IAsyncDisposable
{
    public const int Port = 8080;

    private readonly Process _process;
    private readonly HttpClient _http;

    private LabCoordinator(Process process, string directory, string socket, string token)
        : this(process, directory, socket, token, Path.Combine(directory, "secrets"), "coordinator-1", null, AgentEndpoint)
    {
    }

    private LabCoordinator(Process process, string directory, string socket, string token, string secretDirectory, string instanceId, LabHost? host, string agentUrl)
    {
        _process = process;
        Directory = directory;
        Socket = socket;
        Token = token;
        SecretDirectory = secretDirectory;
        InstanceId = instanceId;
        Host = host;
        AgentUrl = agentUrl;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(unix, ownsSocket: true);
                }
                catch
                {
                    unix.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://coordinator/"), Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>What agents put in CoordinatorEndpoints.</summary>
    public static string AgentEndpoint => string.Create(CultureInfo.InvariantCulture, $"http://{LabAddresses.Storage}:{Port}");

    public string Directory { get; }

    public string Socket { get; }

    public string Token { get; }

    /// <summary>Agents:SecretDirectory: one &lt;hostId&gt;.key per host (TRANSPORT.md).</summary>
    public string SecretDirectory { get; }

    /// <summary>The store's instance id (what /readyz names as leader).</summary>
    public string InstanceId { get; }

    /// <summary>The hypervisor host this coordinator runs on; null for the storage-namespace (SQLite) one.</summary>
    public LabHost? Host { get; }

    /// <summary>Where agents reach this instance.</summary>
    public string AgentUrl { get; }

    /// <summary>The process this object started (dotnet itself in the storage namespace; nsenter, its parent, on a host).</summary>
    internal Process Process => _process;

    public string SecretFile(string hostId) => Path.Combine(SecretDirectory, hostId + ".key");

    public int Pid => _process.Id;

    public static async Task<LabCoordinator> StartAsync(Lab lab, IEnumerable<string> hostIds, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(lab.Directory, "coordinator");
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "secrets"));
        foreach (var host in hostIds)
        {
            // ≥ 32 random bytes, base64 (TRANSPORT.md); the agent of that host gets the same file.
            await File.WriteAllTextAsync(Path.Combine(directory, "secrets", host + ".key"), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), cancellationToken).ConfigureAwait(false);
        }
        var socket = Path.Combine(directory, "api.sock");
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var process = lab.StartInStorage(
            LabPrograms.Dotnet,
            [
                LabPrograms.Coordinator,
                "--urls", $"{AgentEndpoint};http://unix:{socket}",
                "--Store:Kind=Sqlite",
                $"--Store:Sqlite:Path={Path.Combine(directory, "coordinator.db")}",
                "--Store:Sqlite:InstanceId=coordinator-1",
                "--Api:Tokens:0:Name=demo",
                $"--Api:Tokens:0:Token={token}",
                "--Api:Tokens:0:Role=admin",
                $"--Agents:SecretDirectory={Path.Combine(directory, "secrets")}",
                "--Agents:PollSeconds=10",
                // The engine reads the agents' storage heartbeats from the lab pool (client.admin, storage namespace).
                $"--Engine:StorageHeartbeat:Ceph:ConfigFile={lab.Ceph.ConfigPath}",
                $"--Engine:StorageHeartbeat:Ceph:ClientName={lab.Ceph.Admin.Name}",
                $"--Engine:StorageHeartbeat:Ceph:Keyring={lab.Ceph.Admin.KeyringPath}",
                $"--Engine:StorageHeartbeat:Ceph:Pool={lab.Pool}",
            ],
            Path.Combine(directory, "coordinator.log"),
            new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        var coordinator = new LabCoordinator(process, directory, socket, token);
        try
        {
            await coordinator.WaitReadyAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            return coordinator;
        }
        catch
        {
            await coordinator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>/readyz says leading (SQLite leadership taken), bounded.</summary>
    internal async Task WaitReadyAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        var until = Stopwatch.StartNew();
        string last = "no answer";
        while (until.Elapsed < bound)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"coordinator exited with {_process.ExitCode}; see {Path.Combine(Directory, "coordinator.log")}");
            }
            try
            {
                using var response = await _http.GetAsync("readyz", cancellationToken).ConfigureAwait(false);
                last = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode && last.Contains("\"leading\":true", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"coordinator not ready within {bound}: {last}");
    }

    public async Task<(int Status, string Body)> SendAsync(
        HttpMethod method, string path, string? body = null, CancellationToken cancellationToken = default, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Every audit record, flattened (API mutations and each decision of an engine step); shapes it does not know are
    /// shown by their action alone, never an error.
    /// </summary>
    public async Task<IReadOnlyList<LabAuditRecord>> ReadAuditAsync(CancellationToken cancellationToken = default)
    {
        var records = new List<LabAuditRecord>();
        long after = 0;
        for (var page = 0; page < 100; page++)
        {
            var (status, body) = await SendAsync(HttpMethod.Get, $"v1/audit?limit=1000&after={after}", cancellationToken: cancellationToken).ConfigureAwait(false);
            if (status != 200)
            {
                throw new InvalidOperationException($"GET /v1/audit → {status}: {body}");
            }
            using var document = JsonDocument.Parse(body);
            var items = document.RootElement.GetProperty("items");
            foreach (var item in items.EnumerateArray())
            {
                var sequence = item.GetProperty("sequence").GetInt64();
                after = Math.Max(after, sequence);
                var epoch = item.TryGetProperty("epoch", out var e) && e.ValueKind == JsonValueKind.Number ? e.GetInt64() : 0;
                var record = item.GetProperty("record");
                DateTimeOffset? recordedAt = item.TryGetProperty("recordedAt", out var at) && at.ValueKind == JsonValueKind.String && at.TryGetDateTimeOffset(out var when) ? when : null;
                records.AddRange(Flatten(sequence, epoch, record).Select(r => r with { RecordedAt = recordedAt }));
            }
            if (items.GetArrayLength() == 0 || !document.RootElement.TryGetProperty("next", out var next) || next.ValueKind == JsonValueKind.Null)
            {
                break;
            }
        }
        return records;
    }

    /// <summary>Polls the audit log until a record matches, bounded; null when none did in time.</summary>
    public async Task<LabAuditRecord?> WaitForAuditAsync(Func<LabAuditRecord, bool> match, TimeSpan bound, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var found = (await ReadAuditAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(match);
            if (found is not null || clock.Elapsed > bound)
            {
                return found;
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEnumerable<LabAuditRecord> Flatten(long sequence, long epoch, JsonElement record)
    {
        static string Text(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
                ? value.ToString()
                : "";
        var decisions = record.ValueKind switch
        {
            JsonValueKind.Array => record.EnumerateArray().ToList(),
            JsonValueKind.Object when record.TryGetProperty("records", out var list) && list.ValueKind == JsonValueKind.Array => list.EnumerateArray().ToList(),
            _ => [],
        };
        if (decisions.Count == 0)
        {
            var kind = Text(record, "kind");
            var action = Text(record, "action");
            yield return new LabAuditRecord(sequence, epoch, action.Length > 0 ? action : null, kind.Length > 0 ? kind : null, Text(record, "subject"), Text(record, "decision"), Text(record, "evidence"));
            yield break;
        }
        var stepAction = Text(record, "action");
        foreach (var decision in decisions)
        {
            yield return new LabAuditRecord(sequence, epoch, stepAction.Length > 0 ? stepAction : null, Text(decision, "kind"), Text(decision, "subject"), Text(decision, "decision"), Text(decision, "evidence"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
        }
        _process.Dispose();
    }
}
