using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using HaAgent.Testing;

namespace HaAgent.Packaging.Tests;

/// <summary>
/// The packaged coordinator (self-contained build from the .deb) started the way its unit starts it — content root
/// = a config directory holding appsettings.json — on a free loopback port, with a SQLite store in a temp directory
/// and no dotnet on PATH. Killed by PID on dispose.
/// </summary>
public sealed class CoordinatorProcess : IAsyncDisposable
{
    public const string OperatorToken = "operator-token-0123456789abcdef";
    public const string ViewerToken = "viewer-token-0123456789abcdef";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private CoordinatorProcess(Process process, Uri url, string directory)
    {
        _process = process;
        Url = url;
        Directory = directory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Url { get; }

    public string Directory { get; }

    public int Pid => _process.Id;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<CoordinatorProcess> StartAsync(string executable, string directory)
    {
        var port = FreePort.Next();
        var url = new Uri($"http://127.0.0.1:{port}");
        var config = System.IO.Path.Combine(directory, "etc");
        System.IO.Directory.CreateDirectory(config);
        await File.WriteAllTextAsync(System.IO.Path.Combine(config, "appsettings.json"), $$"""
            {
              // as shipped: comments are allowed
              "Urls": "{{url}}",
              "Store": { "Kind": "Sqlite", "Sqlite": { "Path": "{{System.IO.Path.Combine(directory, "coordinator.db")}}", "InstanceId": "coord-test" } },
              // No agents run here: with the engine on, the registered hosts would turn suspect, then dead, while the
              // checks run. The liveness part of check cluster is covered on exported states in NagiosFormatTests.
              "Engine": { "Enabled": false },
              "Api": { "Tokens": [
                { "Name": "ops", "Token": "{{OperatorToken}}", "Role": "operator" },
                { "Name": "monitoring", "Token": "{{ViewerToken}}", "Role": "viewer" } ] }
            }
            """);
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(config);
        // Self-contained: it must not need (or find) a dotnet installation.
        start.Environment.Remove("DOTNET_ROOT");
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var coordinator = new CoordinatorProcess(process, url, directory);
        try
        {
            await coordinator.WaitForLeaderAsync();
        }
        catch
        {
            await coordinator.DisposeAsync();
            throw;
        }
        return coordinator;
    }

    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    public async Task PostAsync(string path, string json)
    {
        using var client = Client(OperatorToken);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task WaitForLeaderAsync()
    {
        using var client = Client(null);
        var until = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"coordinator exited with {_process.ExitCode}:\n{Log}");
            }
            try
            {
                var body = await client.GetStringAsync(new Uri("/readyz", UriKind.Relative));
                if (body.Contains("\"leading\":true", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"coordinator did not lead within {StartTimeout}:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ProcessKiller.KillAndWait(_process.Id);
        await Task.CompletedTask;
        _process.Dispose();
    }
}
