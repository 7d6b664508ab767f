namespace HaAgent.Protocol.Envelope;

/// <summary>Per-host shared secrets. The coordinator holds one per host; an agent holds only its own.</summary>
public interface IHostSecretStore
{
    /// <summary>The secret this side signs with for <paramref name="hostId"/>: the newest it holds.</summary>
    bool TryGetSecret(string hostId, out ReadOnlyMemory<byte> secret);

    /// <summary>
    /// Every secret a frame of <paramref name="hostId"/> may be verified with: the newest, and during a rollover the
    /// previous one too. Stores without rotation keep the default (the signing secret alone).
    /// </summary>
    bool TryGetSecrets(string hostId, out HostSecretPair secrets)
    {
        if (TryGetSecret(hostId, out var secret))
        {
            secrets = new HostSecretPair(secret, default);
            return true;
        }
        secrets = default;
        return false;
    }
}
