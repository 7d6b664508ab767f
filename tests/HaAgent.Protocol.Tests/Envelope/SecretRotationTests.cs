using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace HaAgent.Protocol.Tests.Envelope;

/// <summary>Key rollover (TRANSPORT.md "Secret rotation"): two secrets accepted per host, replies signed with the one that verified.</summary>
public sealed class SecretRotationTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("secret-rotation-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Delete(recursive: true);

    private string KeyFile => Path.Combine(_directory.FullName, "agent.key");

    private static IHostSecretStore Pair(byte[] newest, byte[]? previous) => new PairStore(newest, previous);

    [Fact]
    public void TryDecode_SignedWithEitherSecretOfARollover_IsAccepted_AndTellsWhichOne()
    {
        var coordinator = new ProtocolCodec(ProtocolDirection.AgentToCoordinator, Pair(Samples.OtherSecret, Samples.Secret), _time);
        var oldAgent = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(Samples.Host, Samples.Secret), _time);
        var newAgent = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(Samples.Host, Samples.OtherSecret), _time);

        Assert.True(coordinator.TryDecode(oldAgent.Encode(Samples.Heartbeat, Samples.Host), out var fromOld, out _));
        Assert.True(fromOld.SignedWithPrevious);
        Assert.True(coordinator.TryDecode(newAgent.Encode(Samples.Heartbeat, Samples.Host), out var fromNew, out _));
        Assert.False(fromNew.SignedWithPrevious);
    }

    [Fact]
    public void EncodeReply_IsSignedWithTheSecretThatVerifiedTheRequest()
    {
        var coordinator = new ProtocolCodec(ProtocolDirection.AgentToCoordinator, Pair(Samples.OtherSecret, Samples.Secret), _time);
        var oldAgent = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(Samples.Host, Samples.Secret), _time);
        var newAgent = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(Samples.Host, Samples.OtherSecret), _time);

        Assert.True(coordinator.TryDecode(oldAgent.Encode(Samples.Heartbeat, Samples.Host), out var fromOld, out _));
        Assert.True(oldAgent.TryDecode(coordinator.EncodeReply(new HeartbeatAck(3, 42), fromOld), out var ack, out var error), error.ToString());
        Assert.Equal(new HeartbeatAck(3, 42), ack.Message);

        Assert.True(coordinator.TryDecode(newAgent.Encode(Samples.Heartbeat, Samples.Host), out var fromNew, out _));
        Assert.True(newAgent.TryDecode(coordinator.EncodeReply(Samples.Fence, fromNew), out var order, out error), error.ToString());
        Assert.Equal(Samples.Fence.OrderId, Assert.IsType<FenceOrder>(order.Message).OrderId);
        // The old-only agent could not have checked that one: it really was signed with the new secret.
        Assert.False(oldAgent.TryDecode(coordinator.EncodeReply(Samples.Fence, fromNew), out _, out error));
        Assert.Equal(DecodeErrorKind.Unauthenticated, error.Kind);
    }

    [Fact]
    public void TryDecode_ThirdSecret_IsUnauthenticated_AndAReplayIsStillAReplay()
    {
        var coordinator = new ProtocolCodec(ProtocolDirection.AgentToCoordinator, Pair(Samples.OtherSecret, Samples.Secret), _time);
        var stranger = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(Samples.Host, [.. Enumerable.Repeat((byte)7, 32)]), _time);
        var oldAgent = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(Samples.Host, Samples.Secret), _time);

        Assert.False(coordinator.TryDecode(stranger.Encode(Samples.Heartbeat, Samples.Host), out _, out var error));
        Assert.Equal(DecodeErrorKind.Unauthenticated, error.Kind);
        var frame = oldAgent.Encode(Samples.Heartbeat, Samples.Host);
        Assert.True(coordinator.TryDecode(frame, out _, out _));
        Assert.False(coordinator.TryDecode(frame, out _, out error));
        Assert.Equal(DecodeErrorKind.Replayed, error.Kind);
    }

    [Fact]
    public void HostSecretFiles_NextBesideCurrent_IsNewest_SameContentCountsOnce_BrokenNextIsAProblem()
    {
        File.WriteAllText(KeyFile, Convert.ToBase64String(Samples.Secret) + "\n");
        Assert.True(HostSecretFiles.TryRead(KeyFile, out var single, out _));
        Assert.False(single.HasPrevious);
        Assert.Equal(Samples.Secret, single.Newest.ToArray());

        File.WriteAllText(HostSecretFiles.NextOf(KeyFile), Convert.ToBase64String(Samples.OtherSecret));
        Assert.True(HostSecretFiles.TryRead(KeyFile, out var pair, out _));
        Assert.Equal(Samples.OtherSecret, pair.Newest.ToArray());
        Assert.Equal(Samples.Secret, pair.Previous.ToArray());

        File.WriteAllText(HostSecretFiles.NextOf(KeyFile), Convert.ToBase64String(Samples.Secret));
        Assert.True(HostSecretFiles.TryRead(KeyFile, out var same, out _));
        Assert.False(same.HasPrevious);

        File.WriteAllText(HostSecretFiles.NextOf(KeyFile), "short");
        Assert.False(HostSecretFiles.TryRead(KeyFile, out _, out var problem));
        Assert.Contains("agent.key.next", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("short", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ReloadingHostSecret_FollowsTheFilesAfterTheInterval_KeepsTheLastGoodOnAProblem()
    {
        File.WriteAllText(KeyFile, Convert.ToBase64String(Samples.Secret));
        var problems = new List<string>();
        var changes = new List<bool>();
        var store = new ReloadingHostSecret(Samples.Host, KeyFile, _time, TimeSpan.FromSeconds(5), problems.Add, changes.Add);
        Assert.True(store.TryGetSecret(Samples.Host, out var secret));
        Assert.Equal(Samples.Secret, secret.ToArray());
        Assert.False(store.TryGetSecret("other-host", out _));

        File.WriteAllText(HostSecretFiles.NextOf(KeyFile), Convert.ToBase64String(Samples.OtherSecret));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(store.TryGetSecret(Samples.Host, out secret));
        Assert.Equal(Samples.Secret, secret.ToArray()); // not yet re-read
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(store.TryGetSecrets(Samples.Host, out var pair));
        Assert.Equal(Samples.OtherSecret, pair.Newest.ToArray());
        Assert.Equal(Samples.Secret, pair.Previous.ToArray());
        Assert.True(store.InRollover);
        Assert.Equal([true], changes);

        // Promotion: mv agent.key.next agent.key → the next secret alone.
        File.Move(HostSecretFiles.NextOf(KeyFile), KeyFile, overwrite: true);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(store.TryGetSecrets(Samples.Host, out pair));
        Assert.Equal(Samples.OtherSecret, pair.Newest.ToArray());
        Assert.False(pair.HasPrevious);
        Assert.Equal([true, false], changes);

        File.WriteAllText(KeyFile, "tiny");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(store.TryGetSecrets(Samples.Host, out pair));
        Assert.Equal(Samples.OtherSecret, pair.Newest.ToArray());
        _time.Advance(TimeSpan.FromSeconds(5));
        store.TryGetSecrets(Samples.Host, out _);
        Assert.Single(problems); // once per distinct problem, not per re-read
        Assert.DoesNotContain("tiny", problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void ReloadingHostSecret_UnusableAtStart_Throws()
    {
        File.WriteAllText(KeyFile, "tiny");
        Assert.Throws<InvalidDataException>(() => new ReloadingHostSecret(Samples.Host, KeyFile, _time, TimeSpan.FromSeconds(5)));
    }

    private sealed class PairStore(byte[] newest, byte[]? previous) : IHostSecretStore
    {
        public bool TryGetSecret(string hostId, out ReadOnlyMemory<byte> secret)
        {
            secret = newest;
            return hostId == Samples.Host;
        }

        public bool TryGetSecrets(string hostId, out HostSecretPair secrets)
        {
            secrets = new HostSecretPair(newest, previous);
            return hostId == Samples.Host;
        }
    }
}
