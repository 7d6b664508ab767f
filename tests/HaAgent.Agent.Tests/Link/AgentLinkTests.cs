using System.Diagnostics;
using HaAgent.Agent.Link;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Libvirt;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Link;

/// <summary>The agent's coordinator link end to end: the real agent host, a loopback coordinator double with the real codec, a test libvirtd.</summary>
public sealed class AgentLinkTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _directory = new("agent-link");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task Start_SendsHelloDefinitionsReportAndHeartbeats_IncarnationGrowsOnRestart()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        vms.Define("ha-web", start: true);
        vms.Define("ha-db", start: false);
        vms.Define("other", start: true);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret);
        agent.Configure([coordinator.BaseUrl], vms.Uri);

        await agent.StartAsync();

        var hello = (HelloMessage)(await coordinator.WaitForAsync<HelloMessage>(_ => true, Wait)).Message;
        Assert.Equal(1, hello.Incarnation);
        await coordinator.WaitForAsync<VmReportMessage>(r => r.Vms.Count == 2, Wait);
        var report = coordinator.Messages<VmReportMessage>().Last(r => r.Vms.Count == 2);
        Assert.Equal(VmRunState.Running, report.Vms.Single(v => v.VmId == "ha-web").State);
        Assert.Equal(VmRunState.Stopped, report.Vms.Single(v => v.VmId == "ha-db").State);
        await coordinator.WaitForAsync<VmDefinitionMessage>(d => d.VmId == "ha-web", Wait);
        await coordinator.WaitForAsync<VmDefinitionMessage>(d => d.VmId == "ha-db", Wait);
        Assert.DoesNotContain(coordinator.Messages<VmDefinitionMessage>(), d => d.VmId == "other");
        Assert.Contains("<name>ha-web</name>", coordinator.Messages<VmDefinitionMessage>().First(d => d.VmId == "ha-web").DomainXml, StringComparison.Ordinal);
        await coordinator.WaitForAsync<HeartbeatMessage>(h => h.Sequence >= 3, Wait);
        // Definitions go once: an unchanged hash is not sent again.
        await Task.Delay(500);
        Assert.Single(coordinator.Messages<VmDefinitionMessage>(), d => d.VmId == "ha-web");

        await agent.RestartAsync();

        await coordinator.WaitForAsync<HelloMessage>(h => h.Incarnation == 2, Wait);
        await coordinator.WaitForAsync<HeartbeatMessage>(h => h.Incarnation == 2, Wait);
    }

    [SkippableFact]
    public async Task VmChange_ReachesCoordinatorWithinOneSecond()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        vms.Define("ha-web", start: true);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret);
        agent.Configure([coordinator.BaseUrl], vms.Uri);
        await agent.StartAsync();
        await coordinator.WaitForAsync<VmReportMessage>(r => r.Vms.Any(v => v.VmId == "ha-web" && v.State == VmRunState.Running), Wait);

        var latencies = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var running = i % 2 == 1;
            var changedAt = Stopwatch.GetTimestamp();
            if (running)
            {
                vms.Start("ha-web");
            }
            else
            {
                vms.Destroy("ha-web");
            }
            var expected = running ? VmRunState.Running : VmRunState.Stopped;
            var seen = await coordinator.WaitForAsync<VmReportMessage>(r => r.Vms.Any(v => v.VmId == "ha-web" && v.State == expected), Wait, changedAt);
            latencies.Add((seen.At - changedAt) * 1000.0 / Stopwatch.Frequency);
        }

        latencies.Sort();
        output.WriteLine($"libvirt change -> VmReport at the coordinator: min {latencies[0]:F1} ms, median {latencies[5]:F1} ms, max {latencies[^1]:F1} ms");
        Assert.True(latencies[^1] < 1000, $"slowest change took {latencies[^1]:F1} ms");
    }

    [SkippableFact]
    public async Task Endpoints_FollowerAnswers503_AgentFollowsLeaderHint()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        using var follower = new TestCoordinator(agent.HostId, agent.Secret) { Leading = false };
        using var leader = new TestCoordinator(agent.HostId, agent.Secret);
        follower.LeaderHint = leader.BaseUrl;
        // A dead endpoint first: connection refused moves on.
        agent.Configure([$"http://127.0.0.1:{FreePort.Next()}/", follower.BaseUrl, leader.BaseUrl], vms.Uri);

        await agent.StartAsync();

        await leader.WaitForAsync<HelloMessage>(_ => true, Wait);
        await leader.WaitForAsync<HeartbeatMessage>(h => h.Sequence >= 5, Wait);
        Assert.Empty(follower.All);
        Assert.Equal(new Uri(leader.BaseUrl), agent.Get<CoordinatorClient>().PreferredEndpoint);

        // Leadership moves: the old leader now answers 503 naming the other.
        leader.Leading = false;
        leader.LeaderHint = follower.BaseUrl;
        follower.Leading = true;
        follower.Epoch = 2;
        await follower.WaitForAsync<HeartbeatMessage>(_ => true, Wait);
        // A new epoch: the agent introduces itself to the new leader again.
        await follower.WaitForAsync<HelloMessage>(_ => true, Wait);
    }

    [SkippableFact]
    public async Task Endpoints_OneAcceptsButNeverAnswers_BoundedAndTheOtherLeads()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        using var leader = new TestCoordinator(agent.HostId, agent.Secret);
        // A coordinator that accepts connections and reads, but never answers (a frozen process).
        using var frozen = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        frozen.Start();
        var held = new List<System.Net.Sockets.Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    held.Add(await frozen.AcceptSocketAsync());
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });
        agent.Configure([$"http://127.0.0.1:{((System.Net.IPEndPoint)frozen.LocalEndpoint).Port}/", leader.BaseUrl], vms.Uri);
        var started = Stopwatch.GetTimestamp();

        await agent.StartAsync();

        var hello = await leader.WaitForAsync<HelloMessage>(_ => true, Wait);
        var elapsed = (hello.At - started) * 1000.0 / Stopwatch.Frequency;
        output.WriteLine($"frozen first endpoint: Hello reached the leader after {elapsed:F0} ms (request bound 1 s)");
        Assert.True(elapsed < 5000, $"{elapsed:F0} ms");
        // An order queued now is not held back by a poll stuck on the frozen endpoint (poll bound 5 s here).
        var stop = new StopVmOrder("stop-none-1", new OrderStamp(1, 1), "ha-none");
        var queued = Stopwatch.GetTimestamp();
        leader.Enqueue(stop);
        var result = await leader.ResultOfAsync(stop.OrderId, Wait);
        var orderMs = (result.At - queued) * 1000.0 / Stopwatch.Frequency;
        output.WriteLine($"order queued after the rotation -> result in {orderMs:F0} ms");
        Assert.True(orderMs < 3000, $"{orderMs:F0} ms");
        await leader.WaitForAsync<HeartbeatMessage>(h => h.Sequence >= 10, Wait);
        Assert.Equal(new Uri(leader.BaseUrl), agent.Get<CoordinatorClient>().PreferredEndpoint);
        foreach (var socket in held)
        {
            socket.Dispose();
        }
    }

    [SkippableFact]
    public async Task OrderFrame_GarbledOrReplayed_RefusedAndNothingExecuted()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        vms.Define("ha-web", start: true);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret);
        agent.Configure([coordinator.BaseUrl], vms.Uri);
        await agent.StartAsync();
        await coordinator.WaitForAsync<VmReportMessage>(r => r.Vms.Count == 1, Wait);

        var stop = new StopVmOrder("stop-1", new OrderStamp(1, 1), "ha-web");
        var frame = coordinator.Sign(stop, DateTimeOffset.UtcNow, new byte[16]);
        var garbled = (byte[])frame.Clone();
        garbled[^40] ^= 0x01; // a body byte: the MAC no longer matches
        coordinator.EnqueueFrame(stop.Stamp, garbled);

        await Task.Delay(1000);
        Assert.Equal(DomainState.Running, vms.State("ha-web"));
        Assert.Empty(coordinator.Messages<OrderResultMessage>());

        coordinator.EnqueueFrame(stop.Stamp, frame);
        coordinator.EnqueueFrame(stop.Stamp, frame); // the same bytes again: a replay
        var result = (OrderResultMessage)(await coordinator.ResultOfAsync("stop-1", Wait)).Message;
        Assert.Equal(OrderOutcome.Succeeded, result.Outcome);
        Assert.Equal(DomainState.ShutOff, vms.State("ha-web"));
        vms.Start("ha-web");
        await Task.Delay(1000);
        Assert.Single(coordinator.Messages<OrderResultMessage>());
        Assert.Equal(DomainState.Running, vms.State("ha-web"));
    }

    [SkippableFact]
    public async Task CoordinatorSilent_SelfFences_ReportsOnReturn_RefusesStartsUntilUnfenced()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        var web = vms.Define("ha-web", start: true);
        vms.Define("ha-db", start: true);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret);
        agent.Configure([coordinator.BaseUrl], vms.Uri, heartbeat: "00:00:00.100", selfFenceTimeout: "00:00:01.500");
        await agent.StartAsync();
        await coordinator.WaitForAsync<VmReportMessage>(r => r.Vms.Count(v => v.State == VmRunState.Running) == 2, Wait);

        coordinator.Leading = false; // no leader answers: no contact
        var silentAt = Stopwatch.GetTimestamp();
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while ((vms.State("ha-web") != DomainState.ShutOff || vms.State("ha-db") != DomainState.ShutOff) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }
        output.WriteLine($"coordinator silent -> both HA VMs destroyed after {Stopwatch.GetElapsedTime(silentAt).TotalMilliseconds:F0} ms (timeout 1.5 s)");
        Assert.Equal(DomainState.ShutOff, vms.State("ha-web"));
        Assert.Equal(DomainState.ShutOff, vms.State("ha-db"));
        Assert.Equal(DomainState.Running, vms.State("test")); // not HA-managed: untouched

        coordinator.Leading = true;
        var report = (SelfFenceReportMessage)(await coordinator.WaitForAsync<SelfFenceReportMessage>(_ => true, Wait)).Message;
        Assert.Equal(["ha-db", "ha-web"], report.KilledVms.Order(StringComparer.Ordinal));

        var start = new StartVmOrder("start-web-1", new OrderStamp(1, 1), "ha-web", LibvirtTestNode.DomainXml("ha-web", web), []);
        coordinator.Enqueue(start);
        var refused = (OrderResultMessage)(await coordinator.ResultOfAsync(start.OrderId, Wait)).Message;
        Assert.Equal(OrderOutcome.Refused, refused.Outcome);
        Assert.Equal(FailureKind.SelfFenced, refused.FailureKind);
        Assert.Equal(DomainState.ShutOff, vms.State("ha-web"));

        var unfence = new UnfenceOrder("unfence-1", new OrderStamp(1, 2), [], [], []);
        coordinator.Enqueue(unfence);
        var unfenced = (OrderResultMessage)(await coordinator.ResultOfAsync(unfence.OrderId, Wait)).Message;
        Assert.True(unfenced.Outcome == OrderOutcome.Succeeded, unfenced.FailureMessage);

        var again = start with { OrderId = "start-web-2", Stamp = new OrderStamp(1, 3) };
        coordinator.Enqueue(again);
        var started = (OrderResultMessage)(await coordinator.ResultOfAsync(again.OrderId, Wait)).Message;
        Assert.True(started.Outcome == OrderOutcome.Succeeded, started.FailureMessage);
        Assert.Equal(DomainState.Running, vms.State("ha-web"));
    }
}
