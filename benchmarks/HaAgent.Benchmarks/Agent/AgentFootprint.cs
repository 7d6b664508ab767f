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
/// warm-up it samples RSS (anon vs file-backed), PSS, private and shared memory, RSS/PSS/private/anon per mapping owner
/// (each library, the binary, [heap], anonymous mappings) with the other processes that map the same library, the
/// largest anonymous mappings and which thread's stack each is, thread names, the agent's own GC figures (its memory
/// log line), and CPU time over an idle window. Targets: RSS ≤ 32 MiB with 50 VMs, near-zero idle CPU. A short window
/// flatters a build whose heap grows until its first GC: use --seconds 540 for the steady state.
/// <code>dotnet publish agent/HaAgent.Agent -c Release -r linux-x64
/// dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- agent-footprint [--binary PATH] [--vms 50] [--seconds 60] [--env NAME=VALUE]... [--coordinator http|https|none]</code>
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
        var secret = directory.File("agent.key");
        await File.WriteAllTextAsync(secret, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)));
        var host = ceph.HostClient("bench");
        // --coordinator http (default) | https: the coordinator's real agent endpoint in this process answers (a healthy
        // cluster: heartbeats acked, long poll held, reports), plain or over TLS; none: nothing listens (the link retries).
        var coordinatorKind = Argument(args, "--coordinator") ?? "http";
        await using var coordinator = coordinatorKind is "http" or "https"
            ? await FootprintCoordinator.StartAsync(directory, "bench-host", secret, coordinatorKind == "https")
            : null;
        var endpoint = coordinator?.Endpoint ?? "https://127.0.0.1:7443";
        var caFile = coordinator?.CaFile is { } ca ? $", \"caFile\": \"{ca}\"" : "";
        await File.WriteAllTextAsync(config, $$"""
            {
              "hostId": "bench-host",
              "coordinatorEndpoints": [ "{{endpoint}}" ],
              "coordinator": { "secretFile": "{{secret}}"{{caFile}} },
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
        // --env NAME=VALUE (repeatable): what a systemd unit's Environment= would set, e.g. MALLOC_ARENA_MAX=2.
        foreach (var setting in Arguments(args, "--env"))
        {
            var eq = setting.IndexOf('=', StringComparison.Ordinal);
            startInfo.Environment[setting[..eq]] = setting[(eq + 1)..];
        }
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
            var loadBefore = ThreadCpu.LoadAverage();
            var threadsBefore = ThreadCpu.Take(agent.Id);
            var cpuStart = CpuTicks(agent.Id);
            var window = Stopwatch.StartNew();
            long peakRss = 0;
            for (var s = 0; s < seconds; s++)
            {
                await Task.Delay(1000);
                peakRss = Math.Max(peakRss, Status(agent.Id)["VmRSS"]);
            }
            var cpuTicks = CpuTicks(agent.Id) - cpuStart;
            var threadsAfter = ThreadCpu.Take(agent.Id);
            var loadAfter = ThreadCpu.LoadAverage();
            var status = Status(agent.Id);
            var memory = MemoryLine().Match(Volatile.Read(ref lastMemoryLine));
            var cpuShare = cpuTicks / 100.0 / window.Elapsed.TotalSeconds * 100;

            Console.WriteLine($"NativeAOT agent {binary} ({new FileInfo(binary).Length / 1024} KiB), {vms} watched VMs (libvirtd test driver), librados connected, heartbeat 1 s");
            Console.WriteLine($"  coordinator    {coordinatorKind}{(coordinator is null ? "" : $" {coordinator.Endpoint}, {coordinator.Accepted} messages accepted so far")}");
            if (startInfo.Environment.Count > 0 && Arguments(args, "--env").Count > 0)
            {
                Console.WriteLine($"  environment    {string.Join(' ', Arguments(args, "--env"))}");
            }
            Console.WriteLine($"  RSS            {status["VmRSS"] / 1024.0,8:F1} MiB (peak over window {peakRss / 1024.0:F1} MiB)");
            Console.WriteLine($"    anon         {status["RssAnon"] / 1024.0,8:F1} MiB   file-backed {status["RssFile"] / 1024.0:F1} MiB   shmem {status["RssShmem"] / 1024.0:F1} MiB");
            if (memory.Success)
            {
                var gcCommitted = long.Parse(memory.Groups["committed"].Value, CultureInfo.InvariantCulture);
                Console.WriteLine($"  managed (GC)   heap {long.Parse(memory.Groups["heap"].Value, CultureInfo.InvariantCulture) / 1024.0:F1} MiB, live {long.Parse(memory.Groups["live"].Value, CultureInfo.InvariantCulture) / 1024.0:F1} MiB, committed {gcCommitted / 1024.0:F1} MiB (as of the last of {memory.Groups["gcs"].Value} gen0 GCs); watched VMs {memory.Groups["vms"].Value}");
                var live = long.Parse(memory.Groups["live"].Value, CultureInfo.InvariantCulture);
                Console.WriteLine($"  native+other   ~{(status["RssAnon"] - Math.Max(gcCommitted, live)) / 1024.0:F1} MiB anon outside the GC heap (librados/libvirt heaps, thread stacks, runtime)");
            }
            var rollup = SmapsRollup(agent.Id);
            Console.WriteLine($"  PSS            {rollup["Pss"] / 1024.0,8:F1} MiB (shared pages divided among the processes mapping them)");
            Console.WriteLine($"  private        {(rollup["Private_Clean"] + rollup["Private_Dirty"]) / 1024.0,8:F1} MiB (pages no other process maps: what stopping the agent frees)");
            Console.WriteLine($"  shared         {(rollup["Shared_Clean"] + rollup["Shared_Dirty"]) / 1024.0,8:F1} MiB (pages other processes map too: libc, libcrypto, ... )");
            var mappings = Smaps(agent.Id);
            var byOwner = mappings.GroupBy(m => m.Owner).Select(g => (Owner: g.Key, Rss: g.Sum(m => m.Rss), Pss: g.Sum(m => m.Pss), Private: g.Sum(m => m.Private), Anon: g.Sum(m => m.Anonymous)))
                .OrderByDescending(g => g.Rss).ToArray();
            var sharers = ProcessesMapping(byOwner.Where(o => o.Rss >= 256 && !o.Owner.StartsWith('[')).Select(o => o.Owner).ToHashSet(StringComparer.Ordinal), agent.Id);
            Console.WriteLine("  by mapping owner (MiB)      RSS     PSS  private  anon  also mapped by");
            foreach (var owner in byOwner.Where(o => o.Rss >= 256).Take(16))
            {
                Console.WriteLine($"    {owner.Owner,-24} {owner.Rss / 1024.0,6:F1}  {owner.Pss / 1024.0,6:F1}  {owner.Private / 1024.0,6:F1}  {owner.Anon / 1024.0,5:F1}  {(sharers.TryGetValue(owner.Owner, out var others) ? string.Join(' ', others.GroupBy(n => n).Select(g => g.Count() > 1 ? $"{g.Key}×{g.Count()}" : g.Key)) : "")}");
            }
            var rest = byOwner.Where(o => o.Rss < 256).ToArray();
            Console.WriteLine($"    {$"{rest.Length} others",-24} {rest.Sum(o => o.Rss) / 1024.0,6:F1}  {rest.Sum(o => o.Pss) / 1024.0,6:F1}  {rest.Sum(o => o.Private) / 1024.0,6:F1}  {rest.Sum(o => o.Anon) / 1024.0,5:F1}");
            var anonymous = mappings.Where(m => m.Owner is "[anon]" or "[stack]" or "[heap]").ToArray();
            var stacks = StackOwners(agent.Id, mappings);
            Console.WriteLine($"  anon mappings  {anonymous.Length}; thread stacks found {stacks.Count}, resident {stacks.Keys.Sum(m => m.Rss) / 1024.0:F1} MiB; largest resident (KiB of mapping KiB):");
            foreach (var m in anonymous.Where(m => m.Rss >= 128).OrderByDescending(m => m.Rss).Take(12))
            {
                Console.WriteLine($"    {m.Rss,6}K of {m.Size,8}K {m.Permissions} {m.Owner} {(stacks.TryGetValue(m, out var thread) ? "stack of " + thread : "")}");
            }
            Console.WriteLine($"    stacks: {string.Join(", ", stacks.OrderByDescending(p => p.Key.Rss).Select(p => $"{p.Value} {p.Key.Rss}K"))}");
            var threads = ThreadNames(agent.Id);
            Console.WriteLine($"  threads        {status["Threads"]}: {string.Join(", ", threads.GroupBy(t => t).OrderByDescending(g => g.Count()).Select(g => g.Count() > 1 ? $"{g.Key}×{g.Count()}" : g.Key))}");
            Console.WriteLine($"  idle CPU       {cpuShare:F3} % of one core over {window.Elapsed.TotalSeconds:F0} s ({cpuTicks} ticks); load average before [{loadBefore}] after [{loadAfter}]");
            ThreadCpu.Print(threadsBefore, threadsAfter, window.Elapsed.TotalSeconds);
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

    /// <summary>One mapping of /proc/PID/smaps (sizes in KiB). Owner: the file's name, [heap], [stack], or [anon].</summary>
    private sealed record Mapping(string Owner, string Permissions, ulong Start, ulong End, long Size, long Rss, long Pss, long Private, long Anonymous);

    /// <summary>
    /// Which thread's stack an anonymous mapping is: a thread blocked in a system call shows its stack pointer in
    /// /proc/PID/task/TID/syscall (second to last field).
    /// </summary>
    private static Dictionary<Mapping, string> StackOwners(int pid, List<Mapping> mappings)
    {
        var owners = new Dictionary<Mapping, string>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var fields = File.ReadAllText(Path.Combine(task, "syscall")).Trim().Split(' ');
                if (fields.Length < 3 || !ulong.TryParse(fields[^2].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var sp))
                {
                    continue;
                }
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                var mapping = mappings.FirstOrDefault(m => m.Start <= sp && sp < m.End);
                if (mapping is not null)
                {
                    owners[mapping] = owners.TryGetValue(mapping, out var other) ? other + "+" + name : name;
                }
            }
            catch (IOException)
            {
            }
        }
        return owners;
    }

    private static List<Mapping> Smaps(int pid)
    {
        var result = new List<Mapping>();
        string? owner = null;
        string permissions = "";
        ulong start = 0, end = 0;
        long size = 0, rss = 0, pss = 0, priv = 0, anon = 0;
        void Flush()
        {
            if (owner is not null)
            {
                result.Add(new Mapping(owner, permissions, start, end, size, rss, pss, priv, anon));
            }
        }
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 5 && parts[0].Contains('-', StringComparison.Ordinal) && !parts[0].EndsWith(':'))
            {
                Flush();
                permissions = parts[1];
                var range = parts[0].Split('-');
                start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                owner = parts.Length >= 6 ? (parts[5].StartsWith('/') ? Path.GetFileName(parts[5]) : parts[5]) : "[anon]";
                size = rss = pss = priv = anon = 0;
                continue;
            }
            if (parts.Length < 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
            {
                continue;
            }
            switch (parts[0])
            {
                case "Size:": size = kib; break;
                case "Rss:": rss = kib; break;
                case "Pss:": pss = kib; break;
                case "Private_Clean:" or "Private_Dirty:": priv += kib; break;
                case "Anonymous:": anon = kib; break;
            }
        }
        Flush();
        return result;
    }

    /// <summary>For each library file name, the other processes on this machine that map it (their comm names).</summary>
    private static Dictionary<string, List<string>> ProcessesMapping(HashSet<string> libraries, int self)
    {
        var result = libraries.ToDictionary(l => l, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self)
            {
                continue;
            }
            try
            {
                var mapped = File.ReadLines(Path.Combine(directory, "maps"))
                    .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    .Where(f => f.Length >= 6 && f[5].StartsWith('/'))
                    .Select(f => Path.GetFileName(f[5]))
                    .Where(libraries.Contains)
                    .ToHashSet(StringComparer.Ordinal);
                if (mapped.Count == 0)
                {
                    continue;
                }
                var name = File.ReadAllText(Path.Combine(directory, "comm")).Trim();
                foreach (var library in mapped)
                {
                    result[library].Add(name);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return result;
    }

    private static Dictionary<string, long> SmapsRollup(int pid) =>
        File.ReadAllLines($"/proc/{pid}/smaps_rollup").Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .Select(p => (Key: p[0].Trim(), Value: p[1].Trim().Split(' ')[0]))
            .Where(p => long.TryParse(p.Value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .ToDictionary(p => p.Key, p => long.Parse(p.Value, CultureInfo.InvariantCulture));

    private static List<string> ThreadNames(int pid) =>
        [.. Directory.EnumerateDirectories($"/proc/{pid}/task").Select(t =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(t, "comm")).Trim();
            }
            catch (IOException)
            {
                return "?";
            }
        }).Order(StringComparer.Ordinal)];

    private static List<string> Arguments(string[] args, string name) =>
        [.. args.Select((a, i) => (a, i)).Where(p => p.a == name && p.i + 1 < args.Length).Select(p => args[p.i + 1])];

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
