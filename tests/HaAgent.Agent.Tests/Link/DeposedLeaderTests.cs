using System.Security.Cryptography;
using HaAgent.Agent.Link;
using HaAgent.Agent.SelfFence;
using HaAgent.Agent.Tests.DBus;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace HaAgent.Agent.Tests.Link;

/// <summary>
/// A leader cut off from the store may keep acking heartbeats with its old epoch until it notices. Such an ack is not
/// contact: the real leader hears nothing, will fence this host, and the self-fence must not be held off by it.
/// </summary>
public sealed class DeposedLeaderTests
{
    private const string HostId = "host-deposed";
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);

    private CoordinatorClient Client(string[] endpoints, CoordinatorContact contact, long floor) =>
        new(endpoints, HostId, new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(HostId, _secret), TimeProvider.System),
            TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), contact, new ListLogger<CoordinatorClient>(), epochFloor: () => floor);

    [Fact]
    public async Task AckBelowTheEpochFloor_NoAckNoContact_TheNextEndpointIsTried()
    {
        using var deposed = new TestCoordinator(HostId, _secret) { Epoch = 3 };
        using var leader = new TestCoordinator(HostId, _secret) { Epoch = 7 };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var contact = new CoordinatorContact(clock);
        var before = contact.LastContact;
        using var client = Client([deposed.BaseUrl], contact, floor: 7);

        clock.Advance(TimeSpan.FromSeconds(5));
        var outcome = await client.SendAsync(new HeartbeatMessage(HostId, 1, 1, new OrderStamp(7, 0)), CancellationToken.None);

        Assert.Null(outcome.Ack);
        Assert.Contains("epoch 3", outcome.Problem, StringComparison.Ordinal);
        Assert.Equal(before, contact.LastContact);

        using var both = Client([deposed.BaseUrl, leader.BaseUrl], contact, floor: 7);
        var led = await both.SendAsync(new HeartbeatMessage(HostId, 1, 2, new OrderStamp(7, 0)), CancellationToken.None);

        Assert.Equal(7, led.Ack?.Epoch);
        Assert.Equal(clock.GetUtcNow(), contact.LastContact);
    }

    [Fact]
    public async Task AckAtTheFloor_IsContact()
    {
        using var leader = new TestCoordinator(HostId, _secret) { Epoch = 4 };
        var contact = new CoordinatorContact(TimeProvider.System);
        using var client = Client([leader.BaseUrl], contact, floor: 4);

        Assert.Equal(4, (await client.SendAsync(new HeartbeatMessage(HostId, 1, 1, new OrderStamp(4, 0)), CancellationToken.None)).Ack?.Epoch);
    }
}
