using System.Diagnostics;
using HaAgent.Testing.Lab;

namespace HaAgent.Demo;

/// <summary>
/// Part 2, the whole product: coordinator (SQLite) in the storage namespace, an agent per host, hosts and a protected
/// VM registered over the REST API, the VM running on h1; h1 dies (kill -9 of everything, or a freeze); the coordinator
/// fences h1 through h2's agent and only then restarts the VM on h2; the image read back proves no write of h1 landed
/// after the fence; the audit log tells the story. Steps that need the agent↔coordinator link and the engine are
/// marked TODO(agentlink)/TODO(engine): they report "pending" until those land, and the part then fails honestly.
/// </summary>
internal static class FailoverScenario
{
    public enum HostFault
    {
        Kill,
        Freeze,
    }

    public static async Task<DemoResult> RunAsync(Narrator say, HostFault fault, CancellationToken cancellationToken)
    {
        var figures = new List<string>();
        var failures = new List<string>();
        void Check(bool held, string what)
        {
            say.Verdict(held, what);
            if (!held)
            {
                failures.Add(what);
            }
        }

        if (LabPrograms.Missing() is { } notBuilt)
        {
            Check(false, notBuilt);
            return DemoResult.From("failover", figures, failures);
        }

        say.Chapter("Failover: lab with storage + 3 hosts");
        await using var lab = await Lab.StartAsync(new LabOptions { Hosts = 3, Images = ["web1"], Log = say.Say }, cancellationToken);
        var h1 = lab.Host("h1");

        say.Chapter("Coordinator (SQLite) in the storage namespace, an agent in every host namespace");
        var clock = Stopwatch.StartNew();
        await using var coordinator = await LabCoordinator.StartAsync(lab, lab.Hosts.Select(h => h.Name), cancellationToken);
        say.Say($"coordinator pid {coordinator.Pid} leading in {clock.Elapsed.TotalSeconds:F1} s; agents reach it at {LabCoordinator.AgentEndpoint}, the demo at unix:{coordinator.Socket}");
        foreach (var host in lab.Hosts)
        {
            Check(await host.CanConnectAsync(LabAddresses.Storage, LabCoordinator.Port, cancellationToken), $"{host.Name} ({host.Address}) reaches {LabCoordinator.AgentEndpoint}");
        }
        var agents = new List<LabAgent>();
        foreach (var host in lab.Hosts)
        {
            agents.Add(await LabAgent.StartAsync(lab, host, coordinator, cancellationToken));
        }
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        foreach (var agent in agents)
        {
            var alive = !agent.Process.HasExited;
            Check(alive, $"agent on {agent.Host.Name} runs (config {agent.ConfigFile}, log {agent.LogFile})");
            var heartbeat = await lab.Ceph.ClientCommandAsync("rados", ["-c", lab.Ceph.ConfigPath, "-p", lab.Pool, "stat", $"haagent.hb.{agent.Host.Name}"], TimeSpan.FromSeconds(10), cancellationToken);
            Check(heartbeat.ExitCode == 0, $"agent on {agent.Host.Name} writes its storage heartbeat ({heartbeat.StandardOutput.Trim()})");
        }

        say.Chapter("Register hosts and a protected VM over the REST API");
        foreach (var host in lab.Hosts)
        {
            var (status, body) = await coordinator.SendAsync(HttpMethod.Post, "v1/hosts",
                $$"""{"id":"{{host.Name}}","cpus":4,"memoryMiB":4096,"rack":"r{{host.Number}}"}""", cancellationToken);
            Check(status == 201, $"POST /v1/hosts {host.Name} → {status}");
            _ = body;
        }
        var vm = await coordinator.SendAsync(HttpMethod.Post, "v1/vms",
            $$"""{"id":"web1","cpus":1,"memoryMiB":32,"volumes":["ceph:{{lab.Pool}}/web1"],"protected":true}""", cancellationToken);
        Check(vm.Status == 201, $"POST /v1/vms web1 (protected, ceph:{lab.Pool}/web1) → {vm.Status}");
        var definition = lab.DefineVm("web1");
        var xml = await coordinator.SendAsync(HttpMethod.Put, "v1/vms/web1/definition", null, cancellationToken);
        // TODO(endpoint): PUT /v1/vms/{id}/definition takes application/xml (TRANSPORT.md "vmdefs/<vmId>"); send definition.Xml
        // once it is on main. Until then the lab starts the VM on h1 and h1's agent reports its definition.
        say.Say($"PUT /v1/vms/web1/definition → {xml.Status} (pending: the XML upload lands with the endpoint work)");

        say.Chapter("web1 runs on h1");
        // TODO(engine): the coordinator places and starts web1 itself (StartVmOrder to h1's agent); then this start goes.
        var onH1 = await h1.StartVmAsync(definition, cancellationToken);
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            say.Say((await onH1.WriteAsync(sequence, cancellationToken: cancellationToken)).ToString());
        }
        // TODO(agentlink+engine): wait until GET /v1/vms/web1 says host h1 (from h1's VmReport), bounded 30 s.
        say.Todo("wait for GET /v1/vms/web1 → host h1 (agent VmReport → engine)");

        say.Chapter(fault == HostFault.Kill ? "h1 loses power: kill -9 of its libvirtd, QEMU and agent" : "h1 hangs: its whole cgroup is frozen");
        var faultAt = Stopwatch.StartNew();
        if (fault == HostFault.Kill)
        {
            h1.Kill();
        }
        else
        {
            h1.Freeze();
        }
        say.Say($"{fault} of h1 done in {faultAt.Elapsed.TotalMilliseconds:F0} ms");

        // TODO(engine): wait (bounded, e.g. 60 s) for the audit log to show: h1 suspected (network heartbeats stop) and
        // dead (storage heartbeat frozen), FenceOrder to h2's agent, fence verified (blocklist epoch + barrier), then
        // StartVmOrder web1 → h2, VmStarted. Record fault→fenced and fault→running-on-h2 times as figures.
        say.Todo("wait for the coordinator's fence of h1 (executed by h2's agent) and web1's restart on h2");
        var pendingSteps = new[] { "fence of h1 by the coordinator", "restart of web1 on h2 by the coordinator" };

        say.Chapter("The storage's account and the audit log");
        var image = await lab.ReadImageAsync("web1", cancellationToken);
        say.Say(image.ToString());
        Check(image.Landed.SequenceEqual([1, 2, 3]) && image.Torn.Count == 0, "web1's image holds h1's acknowledged writes 1-3");
        // TODO(engine): once web1 runs on h2, write 4 through it and expect [1, 2, 3, 4]; with Freeze, thaw h1 first and
        // prove its pending write never lands.
        var audit = await coordinator.SendAsync(HttpMethod.Get, "v1/audit?limit=100", null, cancellationToken);
        say.Say($"GET /v1/audit → {audit.Status}");
        foreach (var line in AuditLines(audit.Body))
        {
            say.Say("  audit " + line);
        }
        if (fault == HostFault.Freeze)
        {
            h1.Thaw();
        }
        foreach (var step in pendingSteps)
        {
            Check(false, $"{step} — pending until the agent↔coordinator link and the engine land");
        }
        _ = figures;
        return DemoResult.From("failover", figures, failures);
    }

    /// <summary>One line per audit record: sequence, epoch, action, subject, actor.</summary>
    private static IEnumerable<string> AuditLines(string page)
    {
        using var document = System.Text.Json.JsonDocument.Parse(page);
        var lines = new List<string>();
        foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
        {
            var record = item.GetProperty("record");
            string Field(string name) => record.TryGetProperty(name, out var value) ? value.ToString() : "-";
            lines.Add($"#{item.GetProperty("sequence")} epoch {item.GetProperty("epoch")} {Field("action")} {Field("subject")} by {Field("actor")}");
        }
        return lines;
    }
}
