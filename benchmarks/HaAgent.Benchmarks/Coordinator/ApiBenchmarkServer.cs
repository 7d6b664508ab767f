using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using HaAgent.Benchmarks.Store;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Etcd;
using HaAgent.Coordinator.Store.Sqlite;
using HaAgent.Testing;
using HaAgent.Testing.Etcd;

namespace HaAgent.Benchmarks.Coordinator;

/// <summary>
/// A real coordinator process (HaAgent.Coordinator.dll, Kestrel on a loopback port) on a store seeded with
/// <see cref="VmCount"/> VMs and <see cref="HostCount"/> hosts, so the measured path is the whole one: sockets,
/// Kestrel, auth, routing, store, JSON. Its own process, so its CPU time can be read apart from the client's.
/// </summary>
internal sealed class ApiBenchmarkServer : IDisposable
{
    public const int VmCount = 200_000;
    public const int HostCount = 2_000;
    public const string ViewerToken = "bench-viewer-token-5c1e9a7f3b2d";

    private readonly TempDirectory _directory;
    private readonly EtcdServer? _etcd;
    private readonly Process _process;

    private ApiBenchmarkServer(TempDirectory directory, EtcdServer? etcd, Process process, Uri baseAddress)
    {
        _directory = directory;
        _etcd = etcd;
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static string VmId(int i) => "vm-" + i.ToString("D6", CultureInfo.InvariantCulture);

    public static string HostId(int i) => "h-" + i.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>Server CPU (user + system) so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public int ProcessId => _process.Id;

    public static ApiBenchmarkServer Start(StoreKind kind) => Start(kind == StoreKind.Sqlite ? ApiStoreSetup.Sqlite : ApiStoreSetup.Etcd);

    public static ApiBenchmarkServer Start(ApiStoreSetup setup)
    {
        var kind = setup == ApiStoreSetup.Sqlite ? StoreKind.Sqlite : StoreKind.Etcd;
        var directory = new TempDirectory("api-bench");
        EtcdServer? etcd = null;
        Process? process = null;
        try
        {
            var seedTime = Stopwatch.StartNew();
            string[] storeArguments;
            ICoordinatorStore seeder;
            if (kind == StoreKind.Sqlite)
            {
                var path = directory.File("coordinator.db");
                seeder = SqliteCoordinatorStore.Open(new SqliteStoreOptions { Path = path, InstanceId = "bench-seed" });
                storeArguments = ["--Store:Kind", "Sqlite", "--Store:Sqlite:Path", path, "--Store:Sqlite:InstanceId", "bench-api"];
            }
            else
            {
                etcd = EtcdServer.StartAsync().GetAwaiter().GetResult();
                seeder = new EtcdCoordinatorStore(new EtcdStoreOptions { Endpoints = etcd.ClientUrl, InstanceId = "bench-seed", CallTimeout = TimeSpan.FromSeconds(10) });
                storeArguments = ["--Store:Kind", "Etcd", "--Store:Etcd:Endpoints", etcd.ClientUrl, "--Store:Etcd:InstanceId", "bench-api",
                    "--Store:Etcd:ReadCache:Enabled", setup == ApiStoreSetup.EtcdNoCache ? "false" : "true",
                    // Its "serving" line tells when reads stop going to etcd.
                    "--Logging:LogLevel:HaAgent.Coordinator.Store.Etcd.EtcdReadCache", "Information"];
            }
            SeedAsync(seeder).GetAwaiter().GetResult();
            Console.WriteLine($"// seeded {VmCount} VMs + {HostCount} hosts into {kind} in {seedTime.Elapsed.TotalSeconds:F1} s");

            var port = FreePort.Next();
            var startInfo = new ProcessStartInfo(ProcessRunner.Which("dotnet") ?? "dotnet")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[]
            {
                typeof(ICoordinatorStore).Assembly.Location,
                "--urls", $"http://127.0.0.1:{port}",
                // Per-request Information lines from ASP.NET Core would measure the console, not the API.
                "--Logging:LogLevel:Default", "Warning",
                "--Api:Tokens:0:Name", "bench", "--Api:Tokens:0:Token", ViewerToken, "--Api:Tokens:0:Role", "viewer",
            }.Concat(storeArguments))
            {
                startInfo.ArgumentList.Add(argument);
            }
            startInfo.Environment["DOTNET_NOLOGO"] = "1";
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the coordinator");
            var cacheServing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && line.Contains("read cache", StringComparison.Ordinal))
                {
                    Console.WriteLine("// coordinator: " + line.Trim());
                }
                if (e.Data?.Contains("read cache serving", StringComparison.Ordinal) == true)
                {
                    cacheServing.TrySetResult();
                }
            };
            process.ErrorDataReceived += static (_, e) =>
            {
                if (e.Data is not null)
                {
                    Console.WriteLine("// coordinator: " + e.Data);
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new ApiBenchmarkServer(directory, etcd, process, new Uri($"http://127.0.0.1:{port}"));
            server.WaitUntilServingAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            if (setup == ApiStoreSetup.Etcd)
            {
                cacheServing.Task.WaitAsync(TimeSpan.FromSeconds(120)).GetAwaiter().GetResult();
            }
            return server;
        }
        catch
        {
            if (process is not null)
            {
                ProcessKiller.KillAndWait(process.Id);
            }
            etcd?.Dispose();
            directory.Dispose();
            throw;
        }
    }

    public HttpClient Client(int connections)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseCookies = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ViewerToken);
        return client;
    }

    public void Dispose()
    {
        ProcessKiller.KillAndWait(_process.Id);
        _process.Dispose();
        _etcd?.Dispose();
        _directory.Dispose();
    }

    /// <summary>Batches of the store's maximum commit size: the same path the API's writes take, 50 documents a commit.</summary>
    internal static async Task SeedAsync(ICoordinatorStore store)
    {
        await using (store.ConfigureAwait(false))
        {
            var leadership = await store.TryAcquireLeadershipAsync(CancellationToken.None).ConfigureAwait(false)
                ?? throw new InvalidOperationException("nobody else can lead a fresh store");
            var batch = new List<DocumentWrite>(50);
            async Task FlushAsync()
            {
                var result = await store.CommitAsync(leadership, batch, null, CancellationToken.None).ConfigureAwait(false);
                if (!result.Committed)
                {
                    throw new InvalidOperationException("seed commit refused");
                }
                batch.Clear();
            }
            for (var i = 0; i < HostCount; i++)
            {
                var host = new HostDocument(HostId(i), 64, 262_144, "r" + (i % 40), "p" + (i % 80), "z" + (i % 4), Maintenance: false);
                batch.Add(DocumentWrite.Put("hosts/" + host.Id, JsonSerializer.SerializeToUtf8Bytes(host, ApiJsonContext.Default.HostDocument)));
                if (batch.Count == 50)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }
            for (var i = 0; i < VmCount; i++)
            {
                var id = VmId(i);
                var vm = new VmDocument(id, 2, 4096, ["ceph:rbd/" + id], i % 7, i % 10 == 0 ? "g" + (i % 50) : null, true, HostId(i % HostCount));
                batch.Add(DocumentWrite.Put("vms/" + id, JsonSerializer.SerializeToUtf8Bytes(vm, ApiJsonContext.Default.VmDocument)));
                if (batch.Count == 50)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }
            if (batch.Count > 0)
            {
                await FlushAsync().ConfigureAwait(false);
            }
            await store.ResignAsync(leadership, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        using var client = Client(1);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/v1/vms/" + VmId(0), UriKind.Relative)).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (_process.HasExited || deadline.Elapsed > timeout)
            {
                throw new InvalidOperationException($"the coordinator did not serve within {timeout} (exited: {_process.HasExited})");
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}
