using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HaAgent.Testing.Ceph;

/// <summary>
/// Makes cephx secrets without forking ceph-authtool: base64 of CryptoKey's encoding, u16 type (1 = AES),
/// utime_t created (u32 s, u32 ns), u16 length (16), then 16 random bytes — what "ceph-authtool --gen-print-key" prints.
/// </summary>
public static class CephxKey
{
    public static string Generate()
    {
        Span<byte> encoded = stackalloc byte[28];
        BinaryPrimitives.WriteUInt16LittleEndian(encoded, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(encoded[2..], (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        BinaryPrimitives.WriteUInt32LittleEndian(encoded[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(encoded[10..], 16);
        RandomNumberGenerator.Fill(encoded[12..]);
        return Convert.ToBase64String(encoded);
    }

    /// <summary>One keyring section; caps as Ceph's keyring syntax wants them (quoted, inner quotes escaped).</summary>
    public static string KeyringSection(string name, string key, params (string Service, string Caps)[] caps)
    {
        var text = new System.Text.StringBuilder();
        text.Append('[').Append(name).Append("]\n\tkey = ").Append(key).Append('\n');
        foreach (var (service, value) in caps)
        {
            text.Append("\tcaps ").Append(service).Append(" = \"").Append(value.Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"\n");
        }
        return text.ToString();
    }
}
