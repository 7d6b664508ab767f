namespace HaAgent.Protocol.Envelope;

public sealed class ProtocolCodecOptions
{
    /// <summary>Largest accepted difference between the frame timestamp and the receiver's clock.</summary>
    public TimeSpan ClockSkew { get; set; } = ProtocolLimits.DefaultClockSkew;

    /// <summary>Nonces remembered to refuse replays (all hosts together). When full, the oldest is forgotten and
    /// frames not newer than it are refused as expired, so a forgotten nonce can never be replayed.</summary>
    public int ReplayCacheCapacity { get; set; } = ProtocolLimits.DefaultReplayCacheCapacity;

    public void Validate()
    {
        if (ClockSkew <= TimeSpan.Zero || ClockSkew > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ClockSkew), ClockSkew, "ClockSkew must be in (0, 1 h]");
        }

        if (ReplayCacheCapacity < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(ReplayCacheCapacity), ReplayCacheCapacity, "ReplayCacheCapacity must be >= 16");
        }
    }
}
