using System.Diagnostics;
using HaAgent.Demo;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Lab;
using Xunit.Abstractions;

namespace HaAgent.EndToEnd.Tests;

/// <summary>
/// Issue #6 item 4, last clause, on real processes: "an old leader cut off from etcd can no longer give orders that
/// agents accept". Three coordinators on etcd (one per host), agents, web1 running on a non-leader host. The leader's
/// host is cut off from etcd only (nft; agents still reach it). Then: the old leader gives up before or when a successor
/// leads, answers agents 503, every agent's persisted order floor rises to the new epoch; and an order stamped with the
/// OLD epoch — a fence of web1's host, signed with the real host secret, the frame a paused old leader would still have
/// queued — handed to a real agent by an impostor at the old leader's host is refused: the agent logs StaleStamp, its
/// floor stays, no blocklist entry appears, web1 keeps running and writing.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class OldLeaderTests(ITestOutputHelper output)
{
    private const int ImpostorPort = 8081;

    [SkippableFact]
    public async Task LeaderCutFromEtcd_SuccessorLeads_OldEpochOrderRefusedByRealAgentNothingChanges()
    {
        CoordinatorFailoverTests.CheckRequirements();
        using var story = new StringWriter();
        var say = new Narrator(story);
        var failures = new List<string>();
        void Check(bool held, string what)
        {
            say.Verdict(held, what);
            if (!held)
            {
                failures.Add(what);
            }
        }
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var ct = bound.Token;
            string? unavailable = null;
            await using var setup = await EtcdLabSetup.StartAsync(say, Check, (leaderHost, hosts) => hosts.First(h => h != leaderHost), r => unavailable = r, leaderOnVmHost: false, ct);
            Skip.If(setup is null, unavailable);
            var cluster = setup.Cluster;
            var old = setup.Leader;
            var oldEpoch = setup.LeaderEpoch;
            var vmHost = setup.VmOnFirstHost.Host;
            var executor = setup.Lab.Hosts.Single(h => h != old.Host && h != vmHost);
            var others = cluster.Coordinators.Where(c => c != old).ToList();
            var blocklistBefore = await setup.BlocklistAsync(ct);
            say.Say($"blocklist before: [{string.Join(", ", blocklistBefore)}]");

            say.Chapter($"The leader {old.InstanceId} (epoch {oldEpoch}) on {old.Host!.Name} is cut off from etcd; agents still reach it");
            var load = EtcdLabSetup.Load();
            var sinceCut = Stopwatch.StartNew();
            await old.CutFromEtcdAsync(ct);
            var lostSeen = Task.Run(async () =>
            {
                while (!ct.IsCancellationRequested && sinceCut.Elapsed < TimeSpan.FromSeconds(20))
                {
                    if ((await File.ReadAllTextAsync(old.LogFile, ct)).Contains($"lost leadership as {old.InstanceId} with epoch {oldEpoch}", StringComparison.Ordinal))
                    {
                        return sinceCut.Elapsed;
                    }
                    await Task.Delay(25, ct);
                }
                return (TimeSpan?)null;
            }, ct);
            var next = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(20), oldEpoch, others, ct);
            Check(next is not null, $"a successor leads with an epoch above {oldEpoch}{(next is null ? ": none within 20 s" : $": {next.Value.Leader.InstanceId} on {next.Value.Leader.Host!.Name}, epoch {next.Value.Epoch}, after {EtcdLabSetup.Seconds(sinceCut.Elapsed)} (load {load})")}");
            Assert.NotNull(next);
            var (leader, epoch) = next.Value;
            var successorAt = sinceCut.Elapsed;
            var lostAt = await lostSeen;
            say.Say($"FIGURE cut → old leader logs its loss: {(lostAt is { } l ? EtcdLabSetup.Seconds(l) : "not seen")}; cut → successor's /readyz leading seen: {EtcdLabSetup.Seconds(successorAt)} (load {load})");
            var oldLog = await File.ReadAllTextAsync(old.LogFile, ct);
            Check(oldLog.Contains($"lost leadership as {old.InstanceId} with epoch {oldEpoch}", StringComparison.Ordinal), $"{old.InstanceId} logged that it lost leadership (epoch {oldEpoch})");
            var oldReady = await old.ReadinessAsync(TimeSpan.FromSeconds(3), ct);
            Check(oldReady is not { Leading: true }, $"{old.InstanceId}'s /readyz does not claim leadership ({oldReady?.Body.Trim() ?? "no answer"})");

            // The old leader's agent endpoint, asked from inside its own host as an agent would: 503, nothing to give.
            var secret = ReadSecret(cluster.SecretFile(executor.Name));
            // A codec is named by what it receives: the agent side encodes polls, the coordinator side acks and orders.
            var agentCodec = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(executor.Name, secret), TimeProvider.System);
            var coordinatorCodec = new ProtocolCodec(ProtocolDirection.AgentToCoordinator, HostSecrets.Single(executor.Name, secret), TimeProvider.System);
            var pollFrame = Path.Combine(setup.Lab.Directory, "poll.bin");
            await File.WriteAllBytesAsync(pollFrame, agentCodec.Encode(new OrderPollMessage(executor.Name, 1, default), executor.Name), ct);
            var status = await ProcessRunner.RunAsync("ip",
                ["netns", "exec", old.Host.Namespace, "curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/x-haagent-frame",
                    "--data-binary", "@" + pollFrame, old.AgentUrl + "v1/agent/orders"], TimeSpan.FromSeconds(10), cancellationToken: ct);
            Check(status.StandardOutput.Trim() == "503", $"an order poll at the old leader {old.AgentUrl} is answered {status.StandardOutput.Trim()} (503 = not leading, no order)");

            var floorsRaised = await DemoWaits.WaitAsync(() => Task.FromResult(setup.Agents.All(a => a.GateEpoch() >= epoch)), TimeSpan.FromSeconds(20), ct);
            Check(floorsRaised, $"every agent's persisted order floor reached epoch {epoch}: {string.Join(", ", setup.Agents.Select(a => $"{a.Host.Name}={a.GateEpoch()}"))}");

            say.Chapter($"An order of the old epoch {oldEpoch} reaches the real agent of {executor.Name}: fence {vmHost.Name} (web1's host)");
            var forged = new FenceOrder($"fence-{vmHost.Name}-stale", new OrderStamp(oldEpoch, 1_000_000), vmHost.Name, [$"{vmHost.Address}:0/0"], []);
            var acks = Enumerable.Range(0, 40).Select(_ => coordinatorCodec.Encode(new HeartbeatAck(oldEpoch, 0), executor.Name)).ToList();
            using var impostor = await LabImpostorEndpoint.StartAsync(old.Host, ImpostorPort, acks, coordinatorCodec.Encode(forged, executor.Name), leader.AgentUrl, ct);
            say.Say($"impostor of the old leader on {impostor.Url} (inside {old.Host.Name}); the agent of {executor.Name} restarts with it first in its list");
            var agent = setup.AgentOn(executor);
            var restarted = await agent.RestartAsync([impostor.Url, .. cluster.AgentEndpoints], ct);
            setup.Agents[setup.Agents.IndexOf(agent)] = restarted;
            var delivered = await DemoWaits.WaitAsync(() => Task.FromResult(impostor.Delivered), TimeSpan.FromSeconds(40), ct);
            Check(delivered, $"the stale order {forged.OrderId} (stamp {forged.Stamp}) was handed to the agent of {executor.Name}");
            var refusedLine = $"Order {forged.OrderId} stamped {forged.Stamp} refused (StaleStamp)";
            var refused = delivered && await DemoWaits.WaitAsync(async () => (await File.ReadAllTextAsync(restarted.LogFile, ct)).Contains(refusedLine, StringComparison.Ordinal), TimeSpan.FromSeconds(15), ct);
            var log = await File.ReadAllTextAsync(restarted.LogFile, ct);
            foreach (var line in log.Split('\n').Where(l => l.Contains(forged.OrderId, StringComparison.Ordinal) || l.Contains("Hello delivered", StringComparison.Ordinal)))
            {
                say.Say("agent log: " + line.Trim());
            }
            Check(refused, $"the agent refused it: \"{refusedLine}\"");
            Check(restarted.GateEpoch() >= epoch, $"the agent's floor stays at the new epoch ({restarted.GateEpoch()} ≥ {epoch})");
            // The refusal as the agent reported it (to the impostor, or nowhere: results of old epochs may be dropped).
            foreach (var (kind, body) in impostor.Received())
            {
                if (coordinatorCodec.TryDecode(body, out var decoded, out _) && decoded.Message is OrderResultMessage result && result.OrderId == forged.OrderId)
                {
                    say.Say($"the agent's answer to the impostor: {result.Outcome} {result.FailureKind}: {result.FailureMessage}");
                    Check(result.Outcome == OrderOutcome.Refused, "the result the agent sent says Refused");
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            // Where the refusal went: the agent hands results to whoever leads; the new leader ignores a stale-stamped one.
            foreach (var coordinator in others)
            {
                foreach (var line in (await File.ReadAllTextAsync(coordinator.LogFile, ct)).Split('\n').Where(l => l.Contains(forged.OrderId, StringComparison.Ordinal)))
                {
                    say.Say($"{coordinator.InstanceId} log: {line.Trim()}");
                }
            }

            say.Chapter("Nothing changed");
            var blocklistAfter = await setup.BlocklistAsync(ct);
            say.Say($"blocklist after: [{string.Join(", ", blocklistAfter)}]");
            Check(!blocklistAfter.Except(blocklistBefore).Any(e => e.StartsWith(vmHost.Address + ":", StringComparison.Ordinal)), $"no blocklist entry for {vmHost.Name} ({vmHost.Address}) was added");
            var running = await EtcdLabSetup.RunningOnAsync(setup.Lab.Hosts, ct);
            Check(running.SequenceEqual([vmHost]), $"web1 still runs on {vmHost.Name} only ({string.Join(", ", running.Select(h => h.Name))})");
            var write = await setup.VmOnFirstHost.WriteAsync(4, TimeSpan.FromSeconds(15), ct);
            say.Say(write.ToString());
            Check(write.Outcome == VmWriteOutcome.Acknowledged, $"web1 on {vmHost.Name} still writes");
            var image = await setup.Lab.ReadImageAsync(EtcdLabSetup.Vm, ct);
            Check(image.Landed.SequenceEqual([1, 2, 3, 4]) && image.Torn.Count == 0, $"web1's image holds [1, 2, 3, 4]: {image}");
            var audit = await cluster.ReadAuditAsync(others, ct);
            var fences = audit.Where(r => r.Kind == "fence-ordered").ToList();
            Check(fences.Count == 0, $"no coordinator ordered any fence ({string.Join("; ", fences)})");
            Assert.True(failures.Count == 0, "failed claims: " + string.Join("; ", failures));
        }
        finally
        {
            output.WriteLine(story.ToString());
        }
    }

    private static byte[] ReadSecret(string file) =>
        HostSecretFile.TryRead(file, out var secret, out var problem) ? secret : throw new InvalidOperationException(problem);
}
