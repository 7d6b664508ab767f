namespace HaAgent.Protocol.Envelope;

public enum DecodeErrorKind
{
    /// <summary>Not a frame, or a body that is not a well-formed message.</summary>
    Malformed = 1,

    /// <summary>Unknown host, wrong secret, tampered bytes, wrong direction, or a body speaking for another host.</summary>
    Unauthenticated = 2,

    UnsupportedVersion = 3,

    /// <summary>Longer than <see cref="ProtocolLimits.MaxEnvelopeBytes"/>; refused before reading.</summary>
    TooLarge = 4,

    /// <summary>Timestamp outside the allowed clock skew (or older than the replay cache remembers).</summary>
    Expired = 5,

    /// <summary>A nonce already seen from that host within the window.</summary>
    Replayed = 6,

    /// <summary>Well-formed and authentic, but a field breaks the contract; <see cref="DecodeError.Field"/> names it.</summary>
    Invalid = 7,
}
