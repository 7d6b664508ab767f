using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing;
using HaAgent.Testing.Ceph;
using HaAgent.Testing.Libvirt;

namespace HaAgent.Benchmarks.Agent;

/// <summary>
/// Idle footprint of the published NativeAOT agent: a real process with libvirt (a private libvirtd serving the test
/// driver, N running HA domains) and librados (its host client writing the heartbeat every second) connected. After a
/// warm-up it samples RSS (anon vs file-backed), the agent's own GC figures (its memory log line), threads, and CPU time
/// over an idle window. Targets: RSS ≤ 32 MiB with 50 VMs, near-zero idle CPU.
/// <code>dotnet publish agent/HaAgent.Agent -c Release -r linux-x64
/// dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- agent-footprint [--binary PATH] [--vms 50] [--seconds 60]</code>
/// </summary>
internal static partial class AgentFootprint
{
    public static async Task<int> RunAsync(string[] args)
    {
        var binary = Argument(args, "--binary") ?? FindPublished();
        var vms = int.Parse(Argument(args, "--vms") ?? "50", CultureInfo.InvariantCulture);
        var seconds = int.Parse(Argument(args, "--seconds") ?? "60", CultureInfo.InvariantCulture);
        if (binary is null || !File.Exists(binary))
        {
            Console.Error.WriteLine("publish first: dotnet publish agent/HaAgent.Agent -c Release -r linux-x64 (or give --binary PATH)");
            return 2;
        }

        using var directory = new TempDirectory("agent-footprint");
        await using var ceph = await CephCluster.StartAsync(new CephClusterOptions { HostClients = ["bench"] });
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        // test:///default lives in the daemon only while a connection holds it: keep this one open throughout.
        using var control = LibvirtConnection.Open(daemon.TestDefaultUri);
        for (var i = 0; i < vms; i++)
        {
            using var domain = control.DefineXml(LibvirtTestNode.DomainXml($"ha-{i:D3}", Guid.NewGuid()));
            domain.Create();
        }

        var config = directory.File("agent.json");
        var host = ceph.HostClient("bench");
        await File.WriteAllTextAsync(config, $$"""
            {
              "hostId": "bench-host",
              "coordinatorEndpoints": [ "https://127.0.0.1:7443" ],
              "stateFile": "{{directory.File("state.json")}}",
              "libvirt": { "uri": "{{daemon.TestDefaultUri}}", "managedDomainPrefix": "ha-" },
              "ceph": {
                "configFile": "{{ceph.ConfigPath}}", "clientName": "{{host.Name}}", "keyring": "{{host.KeyringPath}}",
                "fencerClientName": "{{ceph.Fencer.Name}}", "fencerKeyring": "{{ceph.Fencer.KeyringPath}}", "heartbeatPool": "{{ceph.Pool}}"
              },
              "intervals": { "heartbeat": "00:00:01", "selfFenceTimeout": "00:30:00", "memoryLog": "00:00:05" },
              "watchdog": { "kind": "file", "path": "{{directory.File("watchdog")}}", "timeout": "00:50:00", "kickInterval": "00:00:05" }
            }
            """);

        var lastMemoryLine = "";
        var startInfo = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add("--config");
        startInfo.ArgumentList.Add(config);
        var started = Stopwatch.StartNew();
        using var agent = Process.Start(startInfo)!;
        agent.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("memory: ", StringComparison.Ordinal) == true)
            {
                Volatile.Write(ref lastMemoryLine, e.Data);
            }
        };
        agent.ErrorDataReceived += (_, e) => { };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(15));
            if (agent.HasExited)
            {
                Console.Error.WriteLine($"agent exited with {agent.ExitCode}");
                return 1;
            }
            var cpuStart = CpuTicks(agent.Id);
            var window = Stopwatch.StartNew();
            long peakRss = 0;
            for (var s = 0; s < seconds; s++)
            {
                await Task.Delay(1000);
                peakRss = Math.Max(peakRss, Status(agent.Id)["VmRSS"]);
            }
            var cpuTicks = CpuTicks(agent.Id) - cpuStart;
            var status = Status(agent.Id);
            var memory = MemoryLine().Match(Volatile.Read(ref lastMemoryLine));
            var cpuShare = cpuTicks / 100.0 / window.Elapsed.TotalSeconds * 100;

            Console.WriteLine($"NativeAOT agent {binary} ({new FileInfo(binary).Length / 1024} KiB), {vms} watched VMs (libvirtd test driver), librados connected, heartbeat 1 s");
            Console.WriteLine($"  RSS            {status["VmRSS"] / 1024.0,8:F1} MiB (peak over window {peakRss / 1024.0:F1} MiB)");
            Console.WriteLine($"    anon         {status["RssAnon"] / 1024.0,8:F1} MiB   file-backed {status["RssFile"] / 1024.0:F1} MiB   shmem {status["RssShmem"] / 1024.0:F1} MiB");
            if (memory.Success)
            {
                var gcCommitted = long.Parse(memory.Groups["committed"].Value, CultureInfo.InvariantCulture);
                Console.WriteLine($"  managed (GC)   heap {long.Parse(memory.Groups["heap"].Value, CultureInfo.InvariantCulture) / 1024.0:F1} MiB, live {long.Parse(memory.Groups["live"].Value, CultureInfo.InvariantCulture) / 1024.0:F1} MiB, committed {gcCommitted / 1024.0:F1} MiB (as of the last of {memory.Groups["gcs"].Value} gen0 GCs); watched VMs {memory.Groups["vms"].Value}");
                var live = long.Parse(memory.Groups["live"].Value, CultureInfo.InvariantCulture);
                Console.WriteLine($"  native+other   ~{(status["RssAnon"] - Math.Max(gcCommitted, live)) / 1024.0:F1} MiB anon outside the GC heap (librados/libvirt heaps, thread stacks, runtime)");
            }
            var rollup = File.ReadAllLines($"/proc/{agent.Id}/smaps_rollup").Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
            Console.WriteLine($"  PSS            {rollup.GetValueOrDefault("Pss", "?")} (shared library pages divided among the processes mapping them)");
            Console.WriteLine($"  threads        {status["Threads"]}");
            Console.WriteLine("  largest file-backed mappings (RSS):");
            foreach (var (path, kib) in FileBackedRss(agent.Id).OrderByDescending(p => p.Value).Take(8))
            {
                Console.WriteLine($"    {kib / 1024.0,6:F1} MiB  {path}");
            }
            Console.WriteLine($"  idle CPU       {cpuShare:F3} % of one core over {window.Elapsed.TotalSeconds:F0} s ({cpuTicks} ticks)");
            // The AOT process really did its work: its heartbeat is on the cluster.
            using var reader = HaAgent.NativeInterop.Rados.RadosCluster.Connect(new HaAgent.NativeInterop.Rados.RadosConnectOptions
            {
                ClientName = ceph.Admin.Name, ConfigFile = ceph.ConfigPath, Keyring = ceph.Admin.KeyringPath,
            });
            using var pool = reader.OpenPool(ceph.Pool);
            var heartbeat = HaAgent.Agent.Heartbeat.RadosHeartbeatStore.Read(pool, "bench-host");
            Console.WriteLine($"  heartbeat      {heartbeat.Status}, sequence {heartbeat.Record?.Sequence}, client {heartbeat.Record?.CephClientAddress}");
            return 0;
        }
        finally
        {
            ProcessKiller.KillAndWait(agent.Id);
        }
    }

    /// <summary>RSS per mapped file from /proc/PID/smaps.</summary>
    private static Dictionary<string, long> FileBackedRss(int pid)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 5 && parts[0].Contains('-', StringComparison.Ordinal) && !line.EndsWith(':'))
            {
                current = parts.Length >= 6 && parts[5].StartsWith('/') ? parts[5] : null;
            }
            else if (current is not null && parts.Length >= 2 && parts[0] == "Rss:")
            {
                totals[current] = totals.GetValueOrDefault(current) + long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }
        return totals;
    }

    private static string? FindPublished()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "agent", "HaAgent.Agent", "bin", "Release", "net10.0", "linux-x64", "publish", "haagent-agent");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static string? Argument(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>utime + stime of the process, in clock ticks (USER_HZ = 100).</summary>
    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>/proc/PID/status numbers (kB values in KiB).</summary>
    private static Dictionary<string, long> Status(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status")
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && long.TryParse(p[1].Trim().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .ToDictionary(p => p[0], p => long.Parse(p[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture));

    [GeneratedRegex(@"gcHeapKiB=(?<heap>\d+) gcCommittedKiB=(?<committed>\d+) gcLiveKiB=(?<live>\d+) rssKiB=(?<rss>\d+) watchedVms=(?<vms>\d+) gen0GCs=(?<gcs>\d+)")]
    private static partial Regex MemoryLine();
}
