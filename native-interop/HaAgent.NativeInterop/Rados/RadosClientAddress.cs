using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// A Ceph client instance address as the blocklist knows it: <c>IP:PORT/NONCE</c> (IPv6 as <c>[IP]:PORT/NONCE</c>).
/// Clients use port 0 and a random nonce per connection, so the exact address names one librados handle;
/// nonce 0 matches every client on the IP.
/// </summary>
public sealed class RadosClientAddress : IEquatable<RadosClientAddress>, IParsable<RadosClientAddress>
{
    public RadosClientAddress(IPAddress ipAddress, ushort port, uint nonce)
    {
        ArgumentNullException.ThrowIfNull(ipAddress);
        if (ipAddress.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"a Ceph address is IPv4 or IPv6, not {ipAddress.AddressFamily}", nameof(ipAddress));
        }
        IPAddress = ipAddress;
        Port = port;
        Nonce = nonce;
    }

    public IPAddress IPAddress { get; }

    public ushort Port { get; }

    public uint Nonce { get; }

    /// <summary>Nonce 0: as a blocklist entry this fences every client on <see cref="IPAddress"/>.</summary>
    public bool IsWholeHost => Nonce == 0;

    /// <summary>The whole-host form of this address (<c>IP:0/0</c>).</summary>
    public RadosClientAddress WholeHost => new(IPAddress, 0, 0);

    /// <summary>Parses the strict form librados and the mon print; anything else is an <see cref="ArgumentException"/>.</summary>
    public static RadosClientAddress Parse(string text) =>
        TryParse(text, out var address)
            ? address
            : throw new ArgumentException(
                $"'{text}' is not a Ceph client address (IPv4:PORT/NONCE or [IPv6]:PORT/NONCE)", nameof(text));

    static RadosClientAddress IParsable<RadosClientAddress>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<RadosClientAddress>.TryParse(
        [NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out RadosClientAddress result) =>
        TryParse(s, out result);

    public static bool TryParse([NotNullWhen(true)] string? text, [MaybeNullWhen(false)] out RadosClientAddress address)
    {
        address = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var slash = text.LastIndexOf('/');
        var colon = slash < 0 ? -1 : text.LastIndexOf(':', slash);
        if (slash < 0 || colon <= 0)
        {
            return false;
        }
        var host = text[..colon];
        if (!TryParseDecimal(text.AsSpan(colon + 1, slash - colon - 1), ushort.MaxValue, out var port)
            || !TryParseDecimal(text.AsSpan(slash + 1), uint.MaxValue, out var nonce))
        {
            return false;
        }

        IPAddress? ip;
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            // IPv6 must be bracketed: the mon reads "::1:0/5" as a different address than the caller meant.
            if (!IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out ip) || ip.AddressFamily != AddressFamily.InterNetworkV6
                || ip.ScopeId != 0)
            {
                return false;
            }
        }
        else
        {
            // Only dotted-quad IPv4: IPAddress.TryParse also takes "127.1" or "0x7f.1", which the mon would read differently.
            if (!IPAddress.TryParse(host, out ip) || ip.AddressFamily != AddressFamily.InterNetwork
                || !string.Equals(ip.ToString(), host, StringComparison.Ordinal))
            {
                return false;
            }
        }

        address = new RadosClientAddress(ip, (ushort)port, (uint)nonce);
        return true;
    }

    private static bool TryParseDecimal(ReadOnlySpan<char> digits, ulong max, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > 10)
        {
            return false;
        }
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        return ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= max;
    }

    public override string ToString() =>
        IPAddress.AddressFamily == AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"[{IPAddress}]:{Port}/{Nonce}")
            : string.Create(CultureInfo.InvariantCulture, $"{IPAddress}:{Port}/{Nonce}");

    public bool Equals(RadosClientAddress? other) =>
        other is not null && IPAddress.Equals(other.IPAddress) && Port == other.Port && Nonce == other.Nonce;

    public override bool Equals(object? obj) => Equals(obj as RadosClientAddress);

    public override int GetHashCode() => HashCode.Combine(IPAddress, Port, Nonce);

    public static bool operator ==(RadosClientAddress? left, RadosClientAddress? right) =>
        left is null ? right is null : left.Equals(right);

    public static bool operator !=(RadosClientAddress? left, RadosClientAddress? right) => !(left == right);
}
