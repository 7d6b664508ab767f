using System.Globalization;
using System.Text;

namespace HaAgent.NativeInterop.Iscsi;

/// <summary>Rejects bad portals, names and LUNs with <see cref="ArgumentException"/> before libiscsi sees them.</summary>
internal static class IscsiInputValidation
{
    /// <summary>"host:port" or "[ipv6]:port" with an explicit port, the form libiscsi parses.</summary>
    internal static void Portal(string portal, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(portal, paramName);
        if (portal.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '/'))
        {
            throw new ArgumentException($"portal '{portal}' must be host:port without spaces or slashes", paramName);
        }

        string host;
        string port;
        if (portal.StartsWith('['))
        {
            var close = portal.IndexOf(']', StringComparison.Ordinal);
            if (close < 2 || close + 1 >= portal.Length || portal[close + 1] != ':')
            {
                throw new ArgumentException($"portal '{portal}' must be [ipv6]:port", paramName);
            }
            host = portal[1..close];
            port = portal[(close + 2)..];
        }
        else
        {
            var colon = portal.LastIndexOf(':');
            if (colon <= 0 || portal.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                throw new ArgumentException($"portal '{portal}' must be host:port (IPv6 in brackets)", paramName);
            }
            host = portal[..colon];
            port = portal[(colon + 1)..];
        }

        if (host.Length == 0
            || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number is < 1 or > 65535)
        {
            throw new ArgumentException($"portal '{portal}' needs a host and a port in 1..65535", paramName);
        }
    }

    /// <summary>An iSCSI name (iqn./eui./naa.), printable ASCII, at most 223 bytes.</summary>
    internal static void Name(string name, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, paramName);
        if (Encoding.UTF8.GetByteCount(name) > IscsiLimits.MaxNameBytes)
        {
            throw new ArgumentException($"iSCSI name is longer than {IscsiLimits.MaxNameBytes} bytes", paramName);
        }
        if (!(name.StartsWith("iqn.", StringComparison.OrdinalIgnoreCase)
              || name.StartsWith("eui.", StringComparison.OrdinalIgnoreCase)
              || name.StartsWith("naa.", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"iSCSI name '{name}' must start with iqn., eui. or naa.", paramName);
        }
        if (name.Any(c => c <= ' ' || c > '~'))
        {
            throw new ArgumentException($"iSCSI name '{name}' must be printable ASCII without spaces", paramName);
        }
    }

    internal static void Lun(int lun, string paramName) =>
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)lun, (uint)IscsiLimits.MaxLun, paramName);

    internal static void Timeout(TimeSpan timeout, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, paramName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeout, IscsiLimits.MaxTimeout, paramName);
    }
}
