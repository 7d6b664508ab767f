using HaAgent.Protocol.Messages;

namespace HaAgent.Protocol.Envelope;

/// <summary>An authenticated, fresh, valid message and the header it was signed with.</summary>
public sealed record DecodedMessage(ushort Version, string HostId, DateTimeOffset SentAt, ProtocolMessage Message)
{
    /// <summary>
    /// The frame verified with the host's previous secret (a rollover is in progress and the sender has not switched
    /// yet). A reply made with <see cref="ProtocolCodec.EncodeReply"/> is signed with that same secret.
    /// </summary>
    public bool SignedWithPrevious { get; init; }

    /// <summary>The secret that verified the frame; replies are signed with it, so the sender can always check them.</summary>
    internal ReadOnlyMemory<byte> VerifiedWith { get; init; }
}
