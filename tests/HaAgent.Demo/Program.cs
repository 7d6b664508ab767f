using HaAgent.Demo;
using HaAgent.Testing.Lab;

// haagent-demo [failover|failover-freeze|coordinator-failover|proof|all]
//   failover (default): the whole product (coordinator on SQLite + an agent per host) on the lab; h1 is killed -9.
//   failover-freeze: the same, but h1 is frozen and thawed once its VM runs elsewhere (the split-brain moment).
//   coordinator-failover: three coordinators on etcd, one on each host beside its agent; the host running the leader
//                         AND the protected VM is killed -9: another coordinator takes over, fences, restarts the VM once.
//   proof: the fence-first proof on the lab alone (Ceph + libvirt + QEMU in network namespaces), no HaAgent daemons.
// Exit codes: 0 every claim held, 1 a claim failed, 2 usage, 77 this machine cannot run the lab (reason printed).
var part = args.Length > 0 ? args[0] : "failover";
if (part is not ("proof" or "failover" or "failover-freeze" or "coordinator-failover" or "all"))
{
    Console.Error.WriteLine("usage: haagent-demo [failover|failover-freeze|coordinator-failover|proof|all]");
    return 2;
}
if (LabRequirements.Missing() is { } missing)
{
    Console.Error.WriteLine($"haagent-demo: cannot run the lab here: {missing}");
    return 77;
}

using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // unwind through the lab's Dispose: namespaces, cgroups and daemons go away
    stop.Cancel();
};

var say = new Narrator(Console.Out);
var results = new List<DemoResult>();
try
{
    if (part is "proof" or "all")
    {
        results.Add(await FenceProof.RunAsync(say, stop.Token));
    }
    if (part is "failover" or "all")
    {
        results.Add(await FailoverScenario.RunAsync(say, FailoverScenario.HostFault.Kill, stop.Token));
    }
    if (part is "failover-freeze" or "all")
    {
        results.Add(await FailoverScenario.RunAsync(say, FailoverScenario.HostFault.Freeze, stop.Token));
    }
    if (part is "coordinator-failover" or "all")
    {
        results.Add(await CoordinatorFailoverScenario.LeaderHostKillAsync(say, stop.Token));
    }
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or OperationCanceledException or IOException)
{
    Console.Error.WriteLine($"haagent-demo: {ex.GetType().Name}: {ex.Message}");
    return 1;
}

Console.WriteLine();
Console.WriteLine("=== Summary");
foreach (var result in results)
{
    Console.WriteLine($"{result.Part}: {(result.Held ? "HELD" : result.Unavailable is not null ? "UNAVAILABLE" : "FAILED")}");
    foreach (var figure in result.Figures)
    {
        Console.WriteLine($"  {figure}");
    }
    foreach (var failure in result.Failures)
    {
        Console.WriteLine($"  failed: {failure}");
    }
}
return results.TrueForAll(r => r.Held) ? 0 : 1;
