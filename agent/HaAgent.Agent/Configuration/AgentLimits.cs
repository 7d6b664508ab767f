using System.Globalization;

namespace HaAgent.Agent.Configuration;

/// <summary>Input limits and formats, in one place.</summary>
internal static class AgentLimits
{
    internal const string HostIdPattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$";
    internal const string CephClientPattern = "^client\\.[A-Za-z0-9._-]+$";
    internal const string IqnPattern = "^(iqn\\.[0-9]{4}-[0-9]{2}\\.[^\\s]+|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16,32})$";

    /// <summary>Heartbeat slots on a shared LUN: one block each.</summary>
    internal const int MaxHeartbeatSlots = 4096;

    internal static bool TryParseReservationKey(string? text, out ulong key)
    {
        key = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out key)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out key);
        return ok && key != 0;
    }
}
