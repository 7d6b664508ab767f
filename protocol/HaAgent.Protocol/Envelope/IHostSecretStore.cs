namespace HaAgent.Protocol.Envelope;

/// <summary>Per-host shared secrets. The coordinator holds one per host; an agent holds only its own.</summary>
public interface IHostSecretStore
{
    bool TryGetSecret(string hostId, out ReadOnlyMemory<byte> secret);
}
