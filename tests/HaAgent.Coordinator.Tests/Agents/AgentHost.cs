using System.Security.Cryptography;
using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Tests.Api;
using HaAgent.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaAgent.Coordinator.Tests.Agents;

/// <summary>
/// The real coordinator (Program) in-process on SQLite in a temp dir, with a <see cref="RecordingSink"/> in the
/// engine's place, a secret directory holding base64 keys for <see cref="DirectoryHosts"/> and one raw key file
/// configured per host (<see cref="ConfiguredHost"/>), a short poll time, every log line captured.
/// </summary>
internal sealed class AgentHost : WebApplicationFactory<Program>
{
    public const string InstanceId = "agents-test-1";
    public const string ConfiguredHost = "cfg-host";
    public const string LeaderUrl = "http://127.0.0.1:7411";
    public const double PollSeconds = 3;

    private readonly TempDirectory _directory = new("agents");
    private readonly Dictionary<string, byte[]> _secrets = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, string> _settings;

    private readonly bool _recordingSink;

    /// <param name="recordingSink">False keeps Program's own sink (the stand-in that follows the store's leadership).</param>
    public AgentHost(IReadOnlyDictionary<string, string>? settings = null, bool recordingSink = true)
    {
        _recordingSink = recordingSink;
        Directory.CreateDirectory(SecretDirectory);
        foreach (var host in DirectoryHosts)
        {
            AddDirectoryHost(host);
        }
        var raw = RandomNumberGenerator.GetBytes(40);
        raw[0] = 0xff; // not base64 text, so the file is used as it is
        File.WriteAllBytes(_directory.File("cfg-host.secret"), raw);
        _secrets[ConfiguredHost] = raw;
        _settings = settings ?? new Dictionary<string, string>();
    }

    public static IReadOnlyList<string> DirectoryHosts { get; } = [.. Enumerable.Range(1, 24).Select(i => $"node-{i:D2}")];

    public string SecretDirectory => _directory.File("keys");

    public CapturedLogs Logs { get; } = new();

    public RecordingSink Sink => Services.GetRequiredService<RecordingSink>();

    public string DatabasePath => _directory.File("coordinator.db");

    public AgentOrderOutbox Outbox => Services.GetRequiredService<AgentOrderOutbox>();

    public AgentEndpointMetrics Metrics => Services.GetRequiredService<AgentEndpointMetrics>();

    public IReadOnlyDictionary<string, byte[]> Secrets => _secrets;

    /// <summary>Set when the host runs on real Kestrel (loopback) rather than the in-memory test server.</summary>
    public Uri? KestrelAddress { get; private set; }

    /// <param name="https">On Kestrel, listen with TLS (the certificate comes from the Tls:* settings, as Program wires it).</param>
    public static async Task<AgentHost> StartAsync(IReadOnlyDictionary<string, string>? settings = null, bool kestrel = false, bool https = false)
    {
        var host = new AgentHost(settings);
        if (kestrel)
        {
            var port = FreePort.Next();
            host.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, port, listen =>
            {
                if (https)
                {
                    listen.UseHttps();
                }
            }));
            host.StartServer();
            host.KestrelAddress = new Uri($"{(https ? "https" : "http")}://127.0.0.1:{port}");
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (host.Sink.StoreEpoch <= 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the coordinator did not lead within 15 s");
            }
            await Task.Delay(20);
        }
        return host;
    }

    /// <summary>Writes <c>&lt;dir&gt;/&lt;host&gt;.key</c> (base64 of 32 random bytes, with the newline openssl writes).</summary>
    public byte[] AddDirectoryHost(string hostId)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(Path.Combine(SecretDirectory, hostId + ".key"), Convert.ToBase64String(secret) + "\n");
        _secrets[hostId] = secret;
        return secret;
    }

    /// <summary>The file configured as <c>Agents:Hosts:cfg-host:SecretFile</c>.</summary>
    public string ConfiguredSecretFile => _directory.File("cfg-host.secret");

    public TestAgent Agent(string hostId) => new(this, hostId, _secrets[hostId]);

    public HttpClient NewClient() => KestrelAddress is { } address
        ? new HttpClient { BaseAddress = address }
        : CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Store:Sqlite:Path", DatabasePath);
        builder.UseSetting("Store:Sqlite:InstanceId", InstanceId);
        builder.UseSetting("Agents:SecretDirectory", SecretDirectory);
        builder.UseSetting($"Agents:Hosts:{ConfiguredHost}:SecretFile", _directory.File("cfg-host.secret"));
        builder.UseSetting("Agents:PollSeconds", PollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Agents:SecretRescanSeconds", "1");
        builder.UseSetting($"Agents:LeaderUrls:{InstanceId}", LeaderUrl);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<RecordingSink>();
            if (!_recordingSink)
            {
                return;
            }
            services.AddSingleton<IAgentMessageSink>(static provider => provider.GetRequiredService<RecordingSink>());
        });
        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddProvider(Logs);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _directory.Dispose();
        }
    }
}
