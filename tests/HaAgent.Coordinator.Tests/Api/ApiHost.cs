using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HaAgent.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace HaAgent.Coordinator.Tests.Api;

/// <summary>
/// The real coordinator (Program) in-process on a SQLite store in a temp dir, with three tokens, every log line
/// captured. <see cref="StartAsync"/> returns once this instance leads, so writes can succeed.
/// </summary>
internal sealed class ApiHost : WebApplicationFactory<Program>
{
    public const string ViewerToken = "viewer-secret-7f3a9c1e5b2d4680";
    public const string OperatorToken = "operator-secret-c4e8a2f6b0d91357";
    public const string AdminToken = "admin-secret-19b7d3f5e2a4c680aa";

    private readonly TempDirectory? _ownDirectory;
    private readonly string _databasePath;
    private readonly string _instanceId;
    private readonly bool _openReads;
    private readonly IReadOnlyDictionary<string, string>? _settings;

    public ApiHost(bool openReads = false, string? databasePath = null, string instanceId = "api-test-1", IReadOnlyDictionary<string, string>? settings = null)
    {
        _settings = settings;
        if (databasePath is null)
        {
            _ownDirectory = new TempDirectory("api");
            databasePath = _ownDirectory.File("coordinator.db");
        }
        _databasePath = databasePath;
        _instanceId = instanceId;
        _openReads = openReads;
    }

    public string DatabasePath => _databasePath;

    public CapturedLogs Logs { get; } = new();

    public static async Task<ApiHost> StartAsync(bool openReads = false)
    {
        var host = new ApiHost(openReads);
        await host.WaitUntilLeadingAsync(TimeSpan.FromSeconds(15));
        return host;
    }

    public HttpClient Client(string? token)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    public async Task WaitUntilLeadingAsync(TimeSpan timeout)
    {
        using var client = Client(null);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await client.GetAsync("/readyz");
            if (response.IsSuccessStatusCode)
            {
                var ready = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (ready.GetProperty("leading").GetBoolean())
                {
                    return;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"coordinator did not lead within {timeout}");
            }
            await Task.Delay(50);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Store:Sqlite:Path", _databasePath);
        builder.UseSetting("Store:Sqlite:InstanceId", _instanceId);
        builder.UseSetting("Api:OpenReads", _openReads ? "true" : "false");
        // API contract tests count audit records and compare documents exactly; the engine (tested on its own, and
        // with the API in the engine tests) would add its own step records and snapshot. A test may turn it on.
        builder.UseSetting("Engine:Enabled", "false");
        foreach (var (key, value) in _settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
        string[][] tokens = [["viewer", ViewerToken, "viewer"], ["ops", OperatorToken, "operator"], ["root", AdminToken, "admin"]];
        for (var i = 0; i < tokens.Length; i++)
        {
            builder.UseSetting($"Api:Tokens:{i}:Name", tokens[i][0]);
            builder.UseSetting($"Api:Tokens:{i}:Token", tokens[i][1]);
            builder.UseSetting($"Api:Tokens:{i}:Role", tokens[i][2]);
        }
        builder.ConfigureLogging(logging =>
        {
            // Only the capture: it keeps test output readable and 10 000 fuzz requests fast.
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
            _ownDirectory?.Dispose();
        }
    }
}
