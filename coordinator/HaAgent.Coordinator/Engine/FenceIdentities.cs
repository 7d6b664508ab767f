using System.Globalization;
using HaAgent.Core.Model;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.NativeInterop.Rados;

namespace HaAgent.Coordinator.Engine;

/// <summary>
/// One spelling for fence identities and evidence: the core compares addresses and keys as strings, so a key sent as
/// "a1" in a Hello and read back as "0x00000000000000A1" must become the same text before it gets there.
/// </summary>
internal static class FenceIdentities
{
    /// <summary>A host whose agent never said Hello: the core refuses to fence it blind ("CANNOT FENCE ... unknown").</summary>
    public static HostFenceIdentity Unknown(string hostId) => new(hostId, "", "");

    public static HostFenceIdentity FromAgent(AgentDocument agent)
    {
        var clients = agent.CephClientAddresses.Select(NormalizeCephAddress).ToArray();
        // The agent reports its own librados clients, but QEMU's librbd clients on that host have other nonces: an
        // exact-client fence would leave every VM disk writable. So the fence is the whole host ("IP:0/0", every client
        // on the IP) first, plus the exact clients the agent reported.
        string[] addresses = [.. clients.Select(WholeHostOf).OfType<string>().Distinct(StringComparer.Ordinal), .. clients];
        return new HostFenceIdentity(
            agent.HostId,
            addresses.Length > 0 ? addresses[0] : "",
            agent.IscsiPrKey is { } key ? NormalizeKey(key) : "",
            addresses);
    }

    /// <summary>"0x" and 16 upper-case hex digits; text that is not a key is kept (and then never matches one).</summary>
    public static string NormalizeKey(string key)
    {
        var digits = key.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? key.AsSpan(2) : key.AsSpan();
        return digits.Length is > 0 and <= 16 && ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? "0x" + value.ToString("X16", CultureInfo.InvariantCulture)
            : key;
    }

    /// <summary>"IP:0/0" for a client address "IP:PORT/NONCE" (IPv6 in brackets); null when it does not parse.</summary>
    public static string? WholeHostOf(string clientAddress) =>
        RadosClientAddress.TryParse(clientAddress, out var client) ? new RadosClientAddress(client.IPAddress, 0, 0).ToString() : null;

    /// <summary>Drops a messenger-protocol prefix ("v1:", "v2:", "any:") that "osd blocklist ls" may print.</summary>
    public static string NormalizeCephAddress(string address)
    {
        foreach (var prefix in (ReadOnlySpan<string>)["v1:", "v2:", "any:"])
        {
            if (address.StartsWith(prefix, StringComparison.Ordinal))
            {
                return address[prefix.Length..];
            }
        }
        return address;
    }
}
