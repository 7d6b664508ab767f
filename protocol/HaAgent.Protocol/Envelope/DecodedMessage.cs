using HaAgent.Protocol.Messages;

namespace HaAgent.Protocol.Envelope;

/// <summary>An authenticated, fresh, valid message and the header it was signed with.</summary>
public sealed record DecodedMessage(ushort Version, string HostId, DateTimeOffset SentAt, ProtocolMessage Message);
