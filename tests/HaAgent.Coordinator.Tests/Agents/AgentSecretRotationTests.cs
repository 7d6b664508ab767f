using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using HaAgent.Coordinator.Agents;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HaAgent.Coordinator.Tests.Agents;

/// <summary>
/// Per-host secret rotation without downtime (TRANSPORT.md "Secret rotation"), on the real endpoint with an agent
/// whose codec reads its key files the way the agent daemon does (<see cref="ReloadingHostSecret"/>).
/// </summary>
public sealed class AgentSecretRotationTests(ITestOutputHelper output) : IDisposable
{
    // The agent's default cadence: "no gap > 2 heartbeats" then means no heartbeat refused or lost, with room for the
    // sub-second stalls a loaded 2-core machine gives any process (seen: up to ~1 s at load average 20+ at 250 ms).
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);
    private readonly TempDirectory _directory = new("agent-rotation");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Rotation_WhileHeartbeatsFlow_NoRefusalNoGap_ThenTheOldSecretIsRefused()
    {
        await using var host = await AgentHost.StartAsync(new Dictionary<string, string> { ["Agents:SecretReloadSeconds"] = "1" });
        const string hostId = "node-05";
        var oldSecret = host.Secrets[hostId];
        var newSecret = RandomNumberGenerator.GetBytes(48);
        var coordinatorKey = Path.Combine(host.SecretDirectory, hostId + ".key");
        var agentKey = _directory.File("agent.key");
        File.WriteAllText(agentKey, Convert.ToBase64String(oldSecret));
        var agentSecrets = new ReloadingHostSecret(hostId, agentKey, TimeProvider.System, TimeSpan.FromMilliseconds(100));
        var codec = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, agentSecrets, TimeProvider.System);
        using var client = host.NewClient();

        var results = new List<(double At, string Outcome)>();
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Heartbeat);
            for (long sequence = 1; await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false) || true; sequence++)
            {
                using var content = new ByteArrayContent(codec.Encode(new HeartbeatMessage(hostId, 1, sequence, new OrderStamp(0, 0)), hostId));
                content.Headers.ContentType = new MediaTypeHeaderValue(AgentEndpoint.FrameContentType);
                using var response = await client.PostAsync(AgentEndpoint.MessagesPath, content).ConfigureAwait(false);

                var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                var outcome = response.StatusCode != HttpStatusCode.OK ? $"{(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}"
                    : codec.TryDecode(body, out var decoded, out var error) && decoded.Message is HeartbeatAck { HeartbeatSequence: var acked } && acked == sequence
                        ? "ok" : $"bad ack {error}";
                lock (results)
                {
                    results.Add((clock.Elapsed.TotalMilliseconds, outcome));
                }
            }
        }, stop.Token);

        async Task Steady(int heartbeats)
        {
            int target;
            lock (results)
            {
                target = results.Count + heartbeats;
            }
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
            while (true)
            {
                lock (results)
                {
                    if (results.Count >= target)
                    {
                        return;
                    }
                }
                Assert.True(Stopwatch.GetTimestamp() < deadline, "heartbeats stopped flowing");
                await Task.Delay(20);
            }
        }

        await Steady(3);
        // 1. The coordinator learns the next secret (accepts both, answers each frame with the secret that signed it).
        await File.WriteAllTextAsync(coordinatorKey + ".next.tmp", Convert.ToBase64String(newSecret));
        File.Move(coordinatorKey + ".next.tmp", coordinatorKey + HostSecretFiles.NextSuffix);
        await WaitForAsync(() => host.Services.GetRequiredService<AgentSecretStore>().InRollover == 1, "coordinator rollover");
        await Steady(3);
        // 2. The agent gets it too and signs with it.
        await File.WriteAllTextAsync(agentKey + ".next", Convert.ToBase64String(newSecret));
        await WaitForAsync(() => agentSecrets.InRollover, "agent rollover");
        await Steady(3);
        // 3. Promote, coordinator first (either order works once both hold the next secret).
        File.Move(coordinatorKey + HostSecretFiles.NextSuffix, coordinatorKey, overwrite: true);
        await WaitForAsync(() => host.Services.GetRequiredService<AgentSecretStore>().InRollover == 0, "coordinator promotion");
        await Steady(3);
        File.Move(agentKey + HostSecretFiles.NextSuffix, agentKey, overwrite: true);
        await WaitForAsync(() => !agentSecrets.InRollover, "agent promotion");
        await Steady(3);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);

        var gaps = results.Zip(results.Skip(1), (a, b) => b.At - a.At).ToList();
        output.WriteLine("gaps (ms): " + string.Join(" ", gaps.Select(g => g.ToString("0", System.Globalization.CultureInfo.InvariantCulture))));
        output.WriteLine($"{results.Count} heartbeats every {Heartbeat.TotalMilliseconds} ms, largest gap {gaps.Max():0} ms, outcomes: "
            + string.Join(", ", results.GroupBy(r => r.Outcome).Select(g => $"{g.Key}×{g.Count()}")));
        Assert.All(results, r => Assert.Equal("ok", r.Outcome));
        Assert.True(gaps.Max() <= 2 * Heartbeat.TotalMilliseconds, $"a gap of {gaps.Max():0} ms > 2 heartbeats");
        Assert.Equal(0, host.Metrics[AgentCounter.Unauthenticated]);

        // 4. The rollover is complete: a frame signed with the old secret is refused.
        var stale = ProtocolCodec.Encode(new HeartbeatMessage(hostId, 1, 999, new OrderStamp(0, 0)), hostId, oldSecret, DateTimeOffset.UtcNow,
            RandomNumberGenerator.GetBytes(16));
        using var refused = new ByteArrayContent(stale);
        refused.Headers.ContentType = new MediaTypeHeaderValue(AgentEndpoint.FrameContentType);
        using var answer = await client.PostAsync(AgentEndpoint.MessagesPath, refused);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
    }

    [Fact]
    public async Task ConfiguredHostFile_NextBesideIt_AcceptsBoth_OrdersGoOutWithThePollsSecret()
    {
        await using var host = await AgentHost.StartAsync(new Dictionary<string, string> { ["Agents:SecretReloadSeconds"] = "0" });
        var current = host.Secrets[AgentHost.ConfiguredHost];
        var next = RandomNumberGenerator.GetBytes(32);
        var configured = host.ConfiguredSecretFile;
        await File.WriteAllTextAsync(configured + HostSecretFiles.NextSuffix, Convert.ToBase64String(next));
        Assert.True(host.Services.GetRequiredService<AgentSecretStore>().Reload());

        using var oldAgent = new TestAgent(host, AgentHost.ConfiguredHost, current);
        using var newAgent = new TestAgent(host, AgentHost.ConfiguredHost, next);
        using (var response = await oldAgent.SendAsync(oldAgent.NextHeartbeat()))
        {
            Assert.IsType<HeartbeatAck>(await oldAgent.ReadAsync(response));
        }
        using (var response = await newAgent.SendAsync(newAgent.NextHeartbeat()))
        {
            Assert.IsType<HeartbeatAck>(await newAgent.ReadAsync(response));
        }
        var sent = host.Outbox.Send(AgentHost.ConfiguredHost, host.Sink.StoreEpoch, s => new StopVmOrder("stop-rot", s, "vm-1"));
        using (var poll = await newAgent.PollAsync(default))
        {
            Assert.Equal(sent, await newAgent.ReadOrderAsync(poll)); // checked with the next secret only
        }
        using (var poll = await oldAgent.PollAsync(default))
        {
            Assert.Equal(sent, await oldAgent.ReadOrderAsync(poll)); // redelivered, signed with the current secret only
        }
    }

    [Fact]
    public void Start_WithAnUnusableNextFile_FailsNamingTheFile()
    {
        using var host = new AgentHost();
        File.WriteAllText(Path.Combine(host.SecretDirectory, "node-02.key.next"), "short");
        var failure = Assert.ThrowsAny<Exception>(() => host.Services);
        Assert.Contains("node-02.key", failure.ToString(), StringComparison.Ordinal);
        Assert.Contains(".next", failure.ToString(), StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 15;
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"{what} not seen within 15 s");
            await Task.Delay(20);
        }
    }
}
