using System.Security.Cryptography;
using HaAgent.Agent.Link;
using HaAgent.Agent.SelfFence;
using HaAgent.Agent.Tests.DBus;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Tests.Link;

/// <summary>The agent's side of a key rollover (TRANSPORT.md "Secret rotation") with the real client and codec.</summary>
public sealed class LinkSecretRotationTests : IDisposable
{
    private const string HostId = "host-rot";
    private readonly TempDirectory _directory = new("link-rotation");
    private readonly byte[] _current = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _next = RandomNumberGenerator.GetBytes(32);

    public void Dispose() => _directory.Dispose();

    private string KeyFile => _directory.File("agent.key");

    private (CoordinatorClient Client, ListLogger<CoordinatorClient> Log, ReloadingHostSecret Secrets) Client(string endpoint)
    {
        var secrets = new ReloadingHostSecret(HostId, KeyFile, TimeProvider.System, TimeSpan.Zero);
        var codec = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, secrets, TimeProvider.System);
        var log = new ListLogger<CoordinatorClient>();
        var client = new CoordinatorClient([endpoint], HostId, codec, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10),
            new CoordinatorContact(TimeProvider.System), log);
        return (client, log, secrets);
    }

    private static HeartbeatMessage Beat(long sequence) => new(HostId, 1, sequence, new OrderStamp(0, 0));

    [Fact]
    public async Task InRollover_SignsWithTheNextSecret()
    {
        File.WriteAllText(KeyFile, Convert.ToBase64String(_current));
        File.WriteAllText(HostSecretFiles.NextOf(KeyFile), Convert.ToBase64String(_next));
        using var coordinator = new TestCoordinator(HostId, _next); // knows only the next secret: proves which one signed
        var (client, log, _) = Client(coordinator.BaseUrl);
        using (client)
        {
            Assert.NotNull((await client.SendAsync(Beat(1), CancellationToken.None)).Ack);
            Assert.Empty(coordinator.Refusals);
            Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
        }
    }

    [Fact]
    public async Task NextSecretRefused_FallsBackToTheCurrentOne_OneWarning_NoContactLost()
    {
        File.WriteAllText(KeyFile, Convert.ToBase64String(_current));
        File.WriteAllText(HostSecretFiles.NextOf(KeyFile), Convert.ToBase64String(_next));
        using var coordinator = new TestCoordinator(HostId, _current); // the operator gave the agent its .next first
        var (client, log, _) = Client(coordinator.BaseUrl);
        using (client)
        {
            for (var i = 1; i <= 5; i++)
            {
                Assert.NotNull((await client.SendAsync(Beat(i), CancellationToken.None)).Ack);
            }
            coordinator.Enqueue(new StopVmOrder("stop-1", new OrderStamp(1, 1), "vm-1"));
            var poll = await client.PollAsync(new OrderPollMessage(HostId, 1, new OrderStamp(0, 0)), CancellationToken.None);
            Assert.Equal(PollStatus.Order, poll.Status);

            // One refused frame (the first), then the current secret for the hold time: no 401 per heartbeat.
            Assert.Single(coordinator.Refusals);
            var warning = Assert.Single(log.Entries, e => e.Level >= LogLevel.Warning);
            Assert.Contains("refused this host's next secret", warning.Message, StringComparison.Ordinal);
            Assert.Equal(5, coordinator.Messages<HeartbeatMessage>().Count);
        }
    }

    [Fact]
    public async Task NoRollover_A401IsJustARefusal()
    {
        File.WriteAllText(KeyFile, Convert.ToBase64String(_current));
        using var coordinator = new TestCoordinator(HostId, _next);
        var (client, _, _) = Client(coordinator.BaseUrl);
        using (client)
        {
            var outcome = await client.SendAsync(Beat(1), CancellationToken.None);
            Assert.Null(outcome.Ack);
            Assert.Contains("answered 401", outcome.Problem, StringComparison.Ordinal);
            Assert.Single(coordinator.Refusals);
        }
    }
}
