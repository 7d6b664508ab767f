using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using HaAgent.Testing;

namespace HaAgent.Coordinator.Tests.Failover;

/// <summary>A real coordinator process (HaAgent.Coordinator.dll) on etcd; reports each "leading as" log line it prints.</summary>
internal sealed partial class CoordinatorProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<long> _leadingEpochs = Channel.CreateUnbounded<long>();
    private readonly List<string> _output = [];

    private CoordinatorProcess(string instanceId, Process process)
    {
        InstanceId = instanceId;
        _process = process;
    }

    public string InstanceId { get; }

    public int Pid => _process.Id;

    public ChannelReader<long> LeadingEpochs => _leadingEpochs.Reader;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static CoordinatorProcess StartOnEtcd(string endpoints, string keyPrefix, string instanceId) =>
        Start(instanceId, "--Store:Kind", "Etcd", "--Store:Etcd:Endpoints", endpoints, "--Store:Etcd:KeyPrefix", keyPrefix, "--Store:Etcd:InstanceId", instanceId);

    public static CoordinatorProcess StartOnSqlite(string path, string instanceId, TimeSpan leaseTtl) =>
        Start(instanceId, "--Store:Sqlite:Path", path, "--Store:Sqlite:InstanceId", instanceId, "--Store:Sqlite:LeaseTtl", leaseTtl.ToString("c", CultureInfo.InvariantCulture));

    /// <summary>SIGTERM, as systemd stops a service, then waits (bounded) for the process to exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        (await ProcessRunner.RunAsync("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5))).EnsureSuccess("kill -TERM");
        await _process.WaitForExitAsync().WaitAsync(timeout);
    }

    public int ExitCode => _process.ExitCode;

    private static CoordinatorProcess Start(string instanceId, params string[] storeArguments)
    {
        var assembly = typeof(HaAgent.Coordinator.Store.ICoordinatorStore).Assembly.Location;
        var startInfo = new ProcessStartInfo(ProcessRunner.Which("dotnet") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            assembly,
            "--urls", "http://127.0.0.1:0",
            "--Logging:Console:FormatterOptions:SingleLine", "true",
        }.Concat(storeArguments))
        {
            startInfo.ArgumentList.Add(argument);
        }
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the coordinator");
        var coordinator = new CoordinatorProcess(instanceId, process);
        process.OutputDataReceived += (_, e) => coordinator.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => coordinator.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return coordinator;
    }

    public void Kill() => ProcessKiller.KillAndWait(Pid);

    public void Dispose()
    {
        ProcessKiller.KillAndWait(Pid);
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Add(line);
        }
        var match = LeadingLine().Match(line);
        if (match.Success && match.Groups[1].Value == InstanceId)
        {
            _leadingEpochs.Writer.TryWrite(long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"leading as (\S+) with epoch (\d+)")]
    private static partial Regex LeadingLine();
}
