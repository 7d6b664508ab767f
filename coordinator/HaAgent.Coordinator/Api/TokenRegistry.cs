using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// The configured tokens, kept only as SHA-256 hashes. A presented token is hashed and compared with every entry in
/// constant time, without stopping at a match, so neither timing nor memory dumps give the secrets away.
/// </summary>
internal sealed class TokenRegistry
{
    private readonly (byte[] Hash, string Name, string Role)[] _entries;

    public TokenRegistry(IOptions<ApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _entries = [.. options.Value.Tokens.Select(static t => (Hash(t.Token), t.Name, t.Role))];
    }

    /// <summary>The name and role of <paramref name="token"/>, or null when it is not a configured token.</summary>
    public (string Name, string Role)? Find(ReadOnlySpan<char> token)
    {
        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        var bytes = Encoding.UTF8.GetBytes(token.ToArray());
        SHA256.HashData(bytes, presented);
        CryptographicOperations.ZeroMemory(bytes);
        (string Name, string Role)? found = null;
        foreach (var entry in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, entry.Hash))
            {
                found = (entry.Name, entry.Role);
            }
        }
        return found;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
