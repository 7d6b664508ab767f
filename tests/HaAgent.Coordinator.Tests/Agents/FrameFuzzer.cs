using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using HaAgent.Protocol;
using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Tests.Agents;

/// <summary>Builds frames byte by byte (the layout ProtocolCodec documents) so tests can sign bodies the codec would never encode, and mutates them.</summary>
internal static class FrameFuzzer
{
    public static byte[] Sign(ReadOnlySpan<byte> body, string hostId, ReadOnlySpan<byte> secret, DateTimeOffset? sentAt = null)
    {
        var host = Encoding.ASCII.GetBytes(hostId);
        var macStart = 8 + host.Length + 8 + ProtocolLimits.NonceBytes + 4 + body.Length;
        var frame = new byte[macStart + ProtocolLimits.MacBytes];
        var span = frame.AsSpan();
        "HAAG"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], ProtocolLimits.CurrentVersion);
        span[6] = (byte)ProtocolDirection.AgentToCoordinator;
        span[7] = (byte)host.Length;
        host.CopyTo(span[8..]);
        var at = 8 + host.Length;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], (sentAt ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(span.Slice(at + 8, ProtocolLimits.NonceBytes));
        BinaryPrimitives.WriteUInt32BigEndian(span[(at + 8 + ProtocolLimits.NonceBytes)..], (uint)body.Length);
        body.CopyTo(span[(at + 8 + ProtocolLimits.NonceBytes + 4)..]);
        HMACSHA256.HashData(secret, span[..macStart], span[macStart..]);
        return frame;
    }

    /// <summary>The body of a frame <see cref="Sign"/> or the codec made.</summary>
    public static byte[] BodyOf(byte[] frame)
    {
        var hostLength = frame[7];
        var start = 8 + hostLength + 8 + ProtocolLimits.NonceBytes + 4;
        return frame[start..^ProtocolLimits.MacBytes];
    }

    /// <summary>A raw mutation of a whole frame: bit flips, byte changes, truncation, extension, splices, junk.</summary>
    public static byte[] MutateFrame(Random random, byte[] frame)
    {
        var copy = (byte[])frame.Clone();
        switch (random.Next(7))
        {
            case 0:
                copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                return copy;
            case 1:
                for (var i = random.Next(1, 8); i > 0; i--)
                {
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                }
                return copy;
            case 2:
                return copy[..random.Next(copy.Length)];
            case 3:
                return [.. copy, .. RandomBytes(random, random.Next(1, 64))];
            case 4:
                // Header field attacks: host length, body length, version, direction.
                var field = random.Next(4);
                if (field == 0)
                {
                    copy[7] = (byte)random.Next(256);
                }
                else if (field == 1)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(8 + copy[7] + 8 + ProtocolLimits.NonceBytes), (uint)random.Next());
                }
                else if (field == 2)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(4), (ushort)random.Next(65536));
                }
                else
                {
                    copy[6] = (byte)random.Next(256);
                }
                return copy;
            case 5:
                return RandomBytes(random, random.Next(0, 300));
            default:
                var cut = random.Next(copy.Length);
                return [.. copy[..cut], .. RandomBytes(random, random.Next(0, 40)), .. copy[cut..]];
        }
    }

    /// <summary>A mutation of a JSON body (to be re-signed): the MAC passes, so the parser and validator are what gets fuzzed.</summary>
    public static byte[] MutateBody(Random random, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        switch (random.Next(8))
        {
            case 0:
                return Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]);
            case 1:
                var copy = (byte[])body.Clone();
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
                return copy;
            case 2:
                return Encoding.UTF8.GetBytes(text.Replace("\"heartbeat\"", Pick(random, "\"HEARTBEAT\"", "\"fence\"", "\"order-poll\"", "\"heartbeat-ack\"", "1", "null", "\"\""), StringComparison.Ordinal));
            case 3:
                return Encoding.UTF8.GetBytes(text.Insert(text.Length - 1, Pick(random, ",\"extra\":1", ",\"sequence\":2", ",\"type\":\"hello\"", ",\"vms\":[]")));
            case 4:
                return Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(text, "-?\\d+", _ => Pick(random, "-1", "1e400", "99999999999999999999", "\"1\"", "null", "0", "true", "1.5")));
            case 5:
                return Encoding.UTF8.GetBytes(Pick(random, "{}", "[]", "null", "\"x\"", "{\"type\":\"heartbeat\"}", new string('[', 200) + new string(']', 200), "{\"type\":\"vm-report\",\"hostId\":\"x\"}"));
            case 6:
                return Encoding.UTF8.GetBytes(text.Replace("node-", Pick(random, "NODE-", "node/", "node\u0000", "n\u00f6de-", ""), StringComparison.Ordinal));
            default:
                return RandomBytes(random, random.Next(1, 200));
        }
    }

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
