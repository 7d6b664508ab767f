using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.NativeInterop.Memory;
using HaAgent.NativeInterop.Rados;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Ceph;
using HaAgent.Testing.Libvirt;

namespace HaAgent.Benchmarks.Agent;

/// <summary>
/// Idle footprint of the published NativeAOT agent: a real process with libvirt (a private libvirtd serving the test
/// driver, N running HA domains) and librados (its host client writing the heartbeat every second) connected, talking
/// to the coordinator's real agent endpoint (<see cref="LoopbackCoordinator"/>). The agent trims its memory once start-up
/// has settled (memory:settleTime, here --settle) and logs one "memory after start-up" line; from then on the window
/// (--seconds; 300+ for the steady state) samples RSS, then the report gives RSS (anon vs file-backed), PSS, private,
/// the breakdown by owner (managed heap, NativeAOT runtime data, malloc, stacks, binary and each library's file pages:
/// <see cref="MemoryBreakdown"/>), the largest anonymous mappings, thread names, CPU per thread over the window. After
/// it, the critical paths are timed (a libvirt event to the coordinator's report, a Ceph fence order to its result):
/// first after the idle window, then warm vs right after a page-out like the trim's (with the major faults each took).
/// <code>dotnet publish agent/HaAgent.Agent -c Release -r linux-x64
/// dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- agent-footprint [--binary PATH] [--vms 50] [--seconds 60]
///     [--settle 20] [--trim on|off] [--env NAME=VALUE]... [--coordinator http|https|none] [--smaps FILE] [--retrim binary|all|none]</code>
/// </summary>
internal static partial class AgentFootprint
{
    private const string HostId = "bench-host";
    private static readonly TimeSpan ProbeDeadline = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args)
    {
        var binary = Argument(args, "--binary") ?? FindPublished();
        var vms = int.Parse(Argument(args, "--vms") ?? "50", CultureInfo.InvariantCulture);
        var seconds = int.Parse(Argument(args, "--seconds") ?? "60", CultureInfo.InvariantCulture);
        var settle = int.Parse(Argument(args, "--settle") ?? "20", CultureInfo.InvariantCulture);
        var trim = Argument(args, "--trim");
        if (binary is null || !File.Exists(binary))
        {
            Console.Error.WriteLine("publish first: dotnet publish agent/HaAgent.Agent -c Release -r linux-x64 (or give --binary PATH)");
            return 2;
        }
        binary = Path.GetFullPath(binary);

        using var directory = new TempDirectory("agent-footprint");
        await using var ceph = await CephCluster.StartAsync(new CephClusterOptions { HostClients = ["bench", "victim"] });
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
        // --coordinator http (default) | https: the coordinator's real agent endpoint in this process answers (a healthy
        // cluster: heartbeats acked, long poll held, reports), plain or over TLS; none: nothing listens (the link retries).
        var coordinatorKind = Argument(args, "--coordinator") ?? "http";
        await using var coordinator = coordinatorKind is "http" or "https"
            ? await LoopbackCoordinator.StartAsync(HostId, coordinatorKind == "https")
            : null;
        var secret = coordinator?.SecretFile ?? directory.File("agent.key");
        if (coordinator is null)
        {
            await File.WriteAllTextAsync(secret, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)));
        }
        var endpoint = coordinator?.Endpoint.ToString() ?? "https://127.0.0.1:7443";
        var caFile = coordinator?.CaFile is { } ca ? $", \"caFile\": \"{ca}\"" : "";
        var trimSetting = trim is null ? "" : $", \"trimAfterStartup\": {(trim == "on" ? "true" : "false")}";
        await File.WriteAllTextAsync(config, $$"""
            {
              "hostId": "{{HostId}}",
              "coordinatorEndpoints": [ "{{endpoint}}" ],
              "coordinator": { "secretFile": "{{secret}}"{{caFile}} },
              "stateFile": "{{directory.File("state.json")}}",
              "libvirt": { "uri": "{{daemon.TestDefaultUri}}", "managedDomainPrefix": "ha-" },
              "ceph": {
                "configFile": "{{ceph.ConfigPath}}", "clientName": "{{host.Name}}", "keyring": "{{host.KeyringPath}}",
                "fencerClientName": "{{ceph.Fencer.Name}}", "fencerKeyring": "{{ceph.Fencer.KeyringPath}}", "heartbeatPool": "{{ceph.Pool}}"
              },
              "intervals": { "heartbeat": "00:00:01", "selfFenceTimeout": "00:30:00" },
              "memory": { "settleTime": "{{TimeSpan.FromSeconds(settle)}}"{{trimSetting}} },
              "watchdog": { "kind": "file", "path": "{{directory.File("watchdog")}}", "timeout": "00:50:00", "kickInterval": "00:00:05" }
            }
            """);

        var settledLine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var startInfo = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add("--config");
        startInfo.ArgumentList.Add(config);
        // --env NAME=VALUE (repeatable): what a systemd unit's Environment= would set, e.g. MALLOC_ARENA_MAX=2.
        foreach (var setting in Arguments(args, "--env"))
        {
            var eq = setting.IndexOf('=', StringComparison.Ordinal);
            startInfo.Environment[setting[..eq]] = setting[(eq + 1)..];
        }
        using var agent = Process.Start(startInfo)!;
        agent.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("memory after start-up: ", StringComparison.Ordinal) == true)
            {
                settledLine.TrySetResult(e.Data);
            }
        };
        agent.ErrorDataReceived += (_, e) => { };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        try
        {
            string line;
            try
            {
                line = await settledLine.Task.WaitAsync(TimeSpan.FromSeconds(settle + 120));
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine(agent.HasExited ? $"agent exited with {agent.ExitCode}" : "no memory line from the agent");
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
            var resident = ProcessMemory.ReadResident(agent.Id);
            var mappings = ProcessMemory.ReadMappings(agent.Id);
            if (Argument(args, "--smaps") is { } smapsCopy)
            {
                File.Copy($"/proc/{agent.Id}/smaps", smapsCopy, overwrite: true);
            }
            var cpuShare = cpuTicks / 100.0 / window.Elapsed.TotalSeconds * 100;

            Console.WriteLine($"NativeAOT agent {binary} ({new FileInfo(binary).Length / 1024} KiB), {vms} watched VMs (libvirtd test driver), librados connected, heartbeat 1 s");
            Console.WriteLine($"  coordinator    {coordinatorKind}{(coordinator is null ? "" : $" {coordinator.Endpoint}, {coordinator.Messages.Accepted} messages accepted so far")}");
            if (Arguments(args, "--env").Count > 0)
            {
                Console.WriteLine($"  environment    {string.Join(' ', Arguments(args, "--env"))}");
            }
            var settled = SettledLine().Match(line);
            if (settled.Success)
            {
                long Kib(string group) => long.Parse(settled.Groups[group].Value, CultureInfo.InvariantCulture);
                Console.WriteLine($"  after start-up ({settle} s) trim {settled.Groups["trim"].Value}: RSS {Kib("rssBefore") / 1024.0:F1} -> {Kib("rss") / 1024.0:F1} MiB " +
                    $"(anon {Kib("anonBefore") / 1024.0:F1} -> {Kib("anon") / 1024.0:F1}, file {Kib("fileBefore") / 1024.0:F1} -> {Kib("file") / 1024.0:F1}; " +
                    $"{settled.Groups["mappings"].Value} mappings of the binary paged out in {settled.Groups["ms"].Value} ms); GC committed {Kib("gcCommitted") / 1024.0:F1} MiB, live {Kib("gcLive") / 1024.0:F1} MiB");
            }
            Console.WriteLine($"  then {seconds} s idle:");
            Console.WriteLine($"  RSS            {resident.Rss / 1048576.0,8:F1} MiB (peak over window {peakRss / 1024.0:F1} MiB)");
            Console.WriteLine($"    anon         {resident.Anonymous / 1048576.0,8:F1} MiB   file-backed {resident.File / 1048576.0:F1} MiB   shmem {resident.Shmem / 1048576.0:F1} MiB");
            Console.WriteLine($"  PSS            {resident.Pss / 1048576.0,8:F1} MiB (shared pages divided among the processes mapping them)");
            Console.WriteLine($"  private        {resident.Private / 1048576.0,8:F1} MiB (pages no other process maps: what stopping the agent frees)");
            Console.WriteLine($"  shared         {(resident.Rss - resident.Private) / 1048576.0,8:F1} MiB (pages other processes map too: libc, libcrypto, ... )");
            PrintBreakdown(mappings, binary);
            var byOwner = mappings.GroupBy(m => m.Owner).Select(g => (Owner: g.Key, Rss: g.Sum(m => m.Rss), Pss: g.Sum(m => m.Pss), Private: g.Sum(m => m.Private), Anon: g.Sum(m => m.Anonymous)))
                .OrderByDescending(g => g.Rss).ToArray();
            const long Quarter = 256 << 10;
            var sharers = ProcessesMapping(byOwner.Where(o => o.Rss >= Quarter && !o.Owner.StartsWith('[')).Select(o => o.Owner).ToHashSet(StringComparer.Ordinal), agent.Id);
            Console.WriteLine("  by mapping owner (MiB)      RSS     PSS  private  anon  also mapped by");
            foreach (var owner in byOwner.Where(o => o.Rss >= Quarter).Take(16))
            {
                Console.WriteLine($"    {owner.Owner,-24} {Mib(owner.Rss),6:F1}  {Mib(owner.Pss),6:F1}  {Mib(owner.Private),6:F1}  {Mib(owner.Anon),5:F1}  {(sharers.TryGetValue(owner.Owner, out var others) ? string.Join(' ', others.GroupBy(n => n).Select(g => g.Count() > 1 ? $"{g.Key}×{g.Count()}" : g.Key)) : "")}");
            }
            var rest = byOwner.Where(o => o.Rss < Quarter).ToArray();
            Console.WriteLine($"    {$"{rest.Length} others",-24} {Mib(rest.Sum(o => o.Rss)),6:F1}  {Mib(rest.Sum(o => o.Pss)),6:F1}  {Mib(rest.Sum(o => o.Private)),6:F1}  {Mib(rest.Sum(o => o.Anon)),5:F1}");
            var anonymous = mappings.Where(m => m.Owner is "[anon]" or "[stack]" or "[heap]").ToArray();
            var stacks = StackOwners(agent.Id, mappings);
            Console.WriteLine($"  anon mappings  {anonymous.Length}; thread stacks found {stacks.Count}, resident {Mib(stacks.Keys.Sum(m => m.Rss)):F1} MiB; largest resident (KiB of mapping KiB):");
            foreach (var m in anonymous.Where(m => m.Rss >= 128 << 10).OrderByDescending(m => m.Rss).Take(12))
            {
                Console.WriteLine($"    {m.Rss >> 10,6}K of {m.Size >> 10,8}K {m.Permissions} {m.Owner} {m.Start:x} {(stacks.TryGetValue(m, out var thread) ? "stack of " + thread : "")}");
            }
            Console.WriteLine($"    stacks: {string.Join(", ", stacks.OrderByDescending(p => p.Key.Rss).Select(p => $"{p.Value} {p.Key.Rss >> 10}K"))}");
            var threads = ThreadNames(agent.Id);
            Console.WriteLine($"  threads        {status["Threads"]}: {string.Join(", ", threads.GroupBy(t => t).OrderByDescending(g => g.Count()).Select(g => g.Count() > 1 ? $"{g.Key}×{g.Count()}" : g.Key))}");
            Console.WriteLine($"  idle CPU       {cpuShare:F3} % of one core over {window.Elapsed.TotalSeconds:F0} s ({cpuTicks} ticks); load average before [{loadBefore}] after [{loadAfter}]");
            ThreadCpu.Print(threadsBefore, threadsAfter, window.Elapsed.TotalSeconds);
            // The AOT process really did its work: its heartbeat is on the cluster.
            using var reader = RadosCluster.Connect(new RadosConnectOptions
            {
                ClientName = ceph.Admin.Name, ConfigFile = ceph.ConfigPath, Keyring = ceph.Admin.KeyringPath,
            });
            using var pool = reader.OpenPool(ceph.Pool);
            var heartbeat = HaAgent.Agent.Heartbeat.RadosHeartbeatStore.Read(pool, HostId);
            Console.WriteLine($"  heartbeat      {heartbeat.Status}, sequence {heartbeat.Record?.Sequence}, client {heartbeat.Record?.CephClientAddress}");
            if (coordinator is not null)
            {
                await ProbeCriticalPathsAsync(agent.Id, binary, Argument(args, "--retrim") ?? "binary", coordinator, control, ceph);
                var afterProbes = ProcessMemory.ReadResident(agent.Id);
                Console.WriteLine($"  after the probes RSS {Mib(afterProbes.Rss):F1} MiB (anon {Mib(afterProbes.Anonymous):F1}, file {Mib(afterProbes.File):F1}), PSS {Mib(afterProbes.Pss):F1}, private {Mib(afterProbes.Private):F1}; load average [{ThreadCpu.LoadAverage()}]");
            }
            return 0;
        }
        finally
        {
            ProcessKiller.KillAndWait(agent.Id);
        }
    }

    private static double Mib(long bytes) => bytes / 1048576.0;

    /// <summary>The breakdown table: anonymous memory by owner, then file pages (binary, the largest libraries, the rest).</summary>
    private static void PrintBreakdown(IReadOnlyList<MemoryMapping> mappings, string binary)
    {
        var (anonymous, files) = MemoryBreakdown.Classify(mappings, binary);
        Console.WriteLine("  breakdown (resident MiB)");
        foreach (var category in new[] { MemoryBreakdown.Gc, MemoryBreakdown.AotData, MemoryBreakdown.Malloc, MemoryBreakdown.Stacks, MemoryBreakdown.LibraryData, MemoryBreakdown.OtherAnon })
        {
            Console.WriteLine($"    anon  {category,-52} {Mib(anonymous.GetValueOrDefault(category)),6:F2}");
        }
        Console.WriteLine($"    anon  {"total",-52} {Mib(anonymous.Values.Sum()),6:F2}");
        Console.WriteLine($"    file  {MemoryBreakdown.BinaryFile,-52} {Mib(files.GetValueOrDefault(MemoryBreakdown.BinaryFile)),6:F2}");
        var libraries = files.Where(f => f.Key != MemoryBreakdown.BinaryFile).OrderByDescending(f => f.Value).ToArray();
        foreach (var library in libraries.Take(10))
        {
            Console.WriteLine($"    file  {library.Key,-52} {Mib(library.Value),6:F2}");
        }
        Console.WriteLine($"    file  {$"{libraries.Length - Math.Min(10, libraries.Length)} other files",-52} {Mib(libraries.Skip(10).Sum(f => f.Value)),6:F2}");
        Console.WriteLine($"    file  {"total",-52} {Mib(files.Values.Sum()),6:F2}");
    }

    /// <summary>
    /// Times what must stay fast after a trim: a VM destroyed in libvirt until the coordinator holds the report showing
    /// it stopped, and a Ceph fence order (blocklist a live client, prove it in the osdmap) until its result. First right
    /// after the idle window (the fence's first run includes the fencer's connect), then <see cref="Rounds"/> pairs:
    /// warm (just after the same operation), and right after this benchmark paged out the agent's file mappings again
    /// from outside (process_madvise: what the agent's own trim does; --retrim binary|all|none). With the agent's major
    /// faults (pages read back from disk) per sample.
    /// </summary>
    private static async Task ProbeCriticalPathsAsync(int pid, string binary, string retrim, LoopbackCoordinator coordinator, LibvirtConnection control, CephCluster ceph)
    {
        using var process = HaAgent.NativeInterop.Processes.PidFd.Open(pid);
        void Retrim()
        {
            if (retrim != "none")
            {
                ProcessMemory.PageOut(process, [.. ProcessMemory.ReadMappings(pid)
                    .Where(m => m.IsFileBacked && m.Rss > 0 && !(m.IsWritable && !m.IsPrivate) && (retrim == "all" || m.Path == binary))]);
                ProcessMemory.DropCachedPages(binary);
            }
        }

        var vm = 0;
        async Task<(double Ms, long Faults)> EventToReport()
        {
            var name = $"ha-{vm++ % 10:D3}";
            using var domain = control.LookupByName(name);
            var faults = MajorFaults(pid);
            var ms = await TimeAsync(coordinator, report => report.Vms.Any(v => v.VmId == name && v.State == VmRunState.Stopped), domain.Destroy);
            var taken = MajorFaults(pid) - faults;
            await TimeAsync(coordinator, report => report.Vms.Any(v => v.VmId == name && v.State == VmRunState.Running), domain.Create);
            return (ms, taken);
        }

        var fences = 0;
        var victim = ceph.HostClient("victim");
        async Task<(double Ms, long Faults)> Fence()
        {
            using var client = RadosCluster.Connect(new RadosConnectOptions { ClientName = victim.Name, ConfigFile = ceph.ConfigPath, Keyring = victim.KeyringPath });
            var address = client.ClientAddress.ToString();
            var result = new TaskCompletionSource<(OrderResultMessage Result, long At)>(TaskCreationOptions.RunContinuationsAsynchronously);
            var orderId = $"fence-victim-{++fences}";
            coordinator.Messages.OnOrderResult = (message, at) =>
            {
                if (message.OrderId == orderId)
                {
                    result.TrySetResult((message, at));
                }
            };
            var faults = MajorFaults(pid);
            var sent = Stopwatch.GetTimestamp();
            coordinator.Send(stamp => new FenceOrder(orderId, stamp, "victim", [address], []));
            var (message, at) = await result.Task.WaitAsync(ProbeDeadline);
            coordinator.Messages.OnOrderResult = null;
            if (message.Outcome != OrderOutcome.Succeeded)
            {
                throw new InvalidOperationException($"fence {orderId}: {message.Outcome} {message.FailureMessage}");
            }
            return (Stopwatch.GetElapsedTime(sent, at).TotalMilliseconds, MajorFaults(pid) - faults);
        }

        foreach (var (name, probe) in new (string, Func<Task<(double Ms, long Faults)>>)[] { ("libvirt destroy -> report at the coordinator", EventToReport), ("fence order -> result (blocklist + osdmap proof)", Fence) })
        {
            var first = await probe();
            var warm = new List<(double Ms, long Faults)>();
            var trimmed = new List<(double Ms, long Faults)>();
            for (var round = 0; round < Rounds; round++)
            {
                warm.Add(await probe());
                Retrim();
                await Task.Delay(200);
                trimmed.Add(await probe());
            }
            static string Summary(List<(double Ms, long Faults)> samples) =>
                $"median {samples.Select(s => s.Ms).Order().ElementAt(samples.Count / 2),6:F1} ms, max {samples.Max(s => s.Ms),6:F1} ms, major faults {samples.Sum(s => s.Faults)} [{string.Join(' ', samples.Select(s => $"{s.Ms:F1}"))}]";
            Console.WriteLine($"  probe {name}");
            Console.WriteLine($"    first after the idle window {first.Ms,6:F1} ms, {first.Faults} major faults");
            Console.WriteLine($"    warm ×{Rounds}                     {Summary(warm)}");
            Console.WriteLine($"    right after a re-trim ({retrim}) ×{Rounds} {Summary(trimmed)}");
        }
    }

    private const int Rounds = 5;

    /// <summary>Runs <paramref name="change"/> and returns the milliseconds until the first VM report matching <paramref name="match"/>.</summary>
    private static async Task<double> TimeAsync(LoopbackCoordinator coordinator, Func<VmReportMessage, bool> match, Action change)
    {
        var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        coordinator.Messages.OnVmReport = (report, at) =>
        {
            if (match(report))
            {
                seen.TrySetResult(at);
            }
        };
        var started = Stopwatch.GetTimestamp();
        change();
        var at = await seen.Task.WaitAsync(ProbeDeadline);
        coordinator.Messages.OnVmReport = null;
        return Stopwatch.GetElapsedTime(started, at).TotalMilliseconds;
    }

    /// <summary>majflt of /proc/PID/stat: page faults that had to read from disk.</summary>
    private static long MajorFaults(int pid)
    {
        return long.Parse(ThreadCpu.FieldsAfterName(File.ReadAllText($"/proc/{pid}/stat"))[9], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Which thread's stack an anonymous mapping is: a thread blocked in a system call shows its stack pointer in
    /// /proc/PID/task/TID/syscall (second to last field).
    /// </summary>
    private static Dictionary<MemoryMapping, string> StackOwners(int pid, IReadOnlyList<MemoryMapping> mappings)
    {
        var owners = new Dictionary<MemoryMapping, string>();
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
        var fields = ThreadCpu.FieldsAfterName(File.ReadAllText($"/proc/{pid}/stat"));
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>/proc/PID/status numbers (kB values in KiB).</summary>
    private static Dictionary<string, long> Status(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status")
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && long.TryParse(p[1].Trim().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .ToDictionary(p => p[0], p => long.Parse(p[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture));

    [GeneratedRegex(@"gcCommittedKiB=(?<gcCommitted>\d+) gcLiveKiB=(?<gcLive>\d+) rssKiB=(?<rss>\d+) anonKiB=(?<anon>\d+) fileKiB=(?<file>\d+) pssKiB=(?<pss>\d+) privateKiB=(?<private>\d+); trim (?<trim>\w+) \(before: rssKiB=(?<rssBefore>\d+) anonKiB=(?<anonBefore>\d+) fileKiB=(?<fileBefore>\d+); (?<mappings>\d+) mappings of the binary paged out in (?<ms>\d+) ms\)")]
    private static partial Regex SettledLine();
}
