using System.Collections.Frozen;

namespace HaAgent.Protocol.Envelope;

/// <summary>A fixed set of per-host secrets (loaded from configuration at start).</summary>
public sealed class HostSecrets : IHostSecretStore
{
    private readonly FrozenDictionary<string, byte[]> _secrets;

    public HostSecrets(IEnumerable<KeyValuePair<string, byte[]>> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var copy = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (hostId, secret) in secrets)
        {
            if (!Validation.MessageValidator.IsId(hostId))
            {
                throw new ArgumentException($"host id '{hostId}' is not a valid id", nameof(secrets));
            }

            if (secret is null || secret.Length < ProtocolLimits.MinSecretBytes)
            {
                throw new ArgumentException(
                    $"secret of host '{hostId}' is shorter than {ProtocolLimits.MinSecretBytes} bytes", nameof(secrets));
            }

            copy[hostId] = (byte[])secret.Clone();
        }

        _secrets = copy.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static HostSecrets Single(string hostId, byte[] secret) => new([new(hostId, secret)]);

    public bool TryGetSecret(string hostId, out ReadOnlyMemory<byte> secret)
    {
        if (_secrets.TryGetValue(hostId, out var bytes))
        {
            secret = bytes;
            return true;
        }

        secret = default;
        return false;
    }
}
