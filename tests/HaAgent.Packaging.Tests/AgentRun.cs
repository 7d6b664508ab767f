using System.Diagnostics;
using System.Text;
using HaAgent.Testing;

namespace HaAgent.Packaging.Tests;

/// <summary>
/// The packaged agent binary running for real on libvirt's test:///default driver, no coordinator, a file watchdog
/// and a short self-fence timeout: enough for it to self-fence and persist the record haagentctl reads.
/// </summary>
internal sealed class AgentRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AgentRun(Process process, string stateFile)
    {
        _process = process;
        StateFile = stateFile;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string StateFile { get; }

    public string ConfigFile { get; private init; } = "";

    public bool IsAlive => !_process.HasExited;

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

    public static async Task<AgentRun> StartAsync(string agent, string directory, string? launcher, int selfFenceSeconds,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var state = Path.Combine(directory, "agent-state.json");
        var config = Path.Combine(directory, "agent.json");
        var deadCoordinator = $"http://127.0.0.1:{FreePort.Next()}";
        var secret = Path.Combine(directory, "agent.key");
        await File.WriteAllTextAsync(secret, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)));
        await File.WriteAllTextAsync(config, $$"""
            {
              "HostId": "pkg-test-host",
              "CoordinatorEndpoints": [ "{{deadCoordinator}}" ],
              "Coordinator": { "SecretFile": "{{secret}}" },
              "StateFile": "{{state}}",
              "Libvirt": { "Uri": "test:///default", "QemuPidDirectory": null },
              "Intervals": { "Heartbeat": "00:00:01", "SelfFenceTimeout": "00:00:{{selfFenceSeconds:D2}}", "SelfFenceKillGrace": "00:00:01" },
              "Watchdog": { "Kind": "file", "Path": "{{Path.Combine(directory, "watchdog")}}", "Timeout": "00:01:00", "KickInterval": "00:00:01" }
            }
            """);
        var start = new ProcessStartInfo(launcher ?? agent)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        if (launcher is not null)
        {
            start.ArgumentList.Add(agent);
        }
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {agent}");
        return new AgentRun(process, state) { ConfigFile = config };
    }

    public async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (Log.Contains(text, StringComparison.Ordinal))
            {
                return;
            }
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"agent exited with {_process.ExitCode} before logging '{text}':\n{Log}");
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"agent did not log '{text}' within {timeout}:\n{Log}");
    }

    /// <summary>SIGTERM, as systemd stops it; the exit code.</summary>
    public async Task<int> StopAsync()
    {
        _ = await ProcessRunner.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(bound.Token);
        return _process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            ProcessKiller.KillAndWait(_process.Id);
        }
        await Task.CompletedTask;
        _process.Dispose();
    }
}
