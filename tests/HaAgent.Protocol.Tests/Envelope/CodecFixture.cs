using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace HaAgent.Protocol.Tests.Envelope;

/// <summary>A coordinator-side and an agent-side codec sharing one host secret and one fake clock.</summary>
internal sealed class CodecFixture
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public ProtocolCodec Coordinator { get; }

    public ProtocolCodec Agent { get; }

    public CodecFixture(ProtocolCodecOptions? options = null)
    {
        Coordinator = new ProtocolCodec(ProtocolDirection.AgentToCoordinator, HostSecrets.Single(Samples.Host, Samples.Secret), Time, options);
        Agent = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(Samples.Host, Samples.Secret), Time, options);
    }

    public ProtocolCodec ReceiverOf(ProtocolMessage message) =>
        message.Direction == ProtocolDirection.AgentToCoordinator ? Coordinator : Agent;

    public ProtocolCodec SenderOf(ProtocolMessage message) =>
        message.Direction == ProtocolDirection.AgentToCoordinator ? Agent : Coordinator;

    public byte[] Encode(ProtocolMessage message) => SenderOf(message).Encode(message, Samples.Host);
}
