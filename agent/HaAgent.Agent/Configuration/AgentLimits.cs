using System.Globalization;

namespace HaAgent.Agent.Configuration;

/// <summary>Input limits and formats, in one place.</summary>
internal static class AgentLimits
{
    internal const string HostIdPattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$";
    internal const string CephClientPattern = "^client\\.[A-Za-z0-9._-]+$";
    internal const string IqnPattern = "^(iqn\\.[0-9]{4}-[0-9]{2}\\.[^\\s]+|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16,32})$";

    /// <summary>
    /// Whole-string match of <see cref="HostIdPattern"/>, by hand: System.Text.RegularExpressions costs the NativeAOT
    /// binary ~0.3 MB of code (and its MethodTables ~2× that in anonymous memory) for three fixed patterns.
    /// </summary>
    internal static bool IsHostId(string text) =>
        text.Length is >= 1 and <= 63 && char.IsAsciiLetterOrDigit(text[0]) && AllNameChars(text.AsSpan(1));

    /// <summary>Whole-string match of <see cref="CephClientPattern"/>.</summary>
    internal static bool IsCephClient(string text) =>
        text.StartsWith("client.", StringComparison.Ordinal) && text.Length > "client.".Length && AllNameChars(text.AsSpan("client.".Length));

    /// <summary>Whole-string match of <see cref="IqnPattern"/>.</summary>
    internal static bool IsIqn(string text)
    {
        var span = text.AsSpan();
        if (span.StartsWith("iqn.", StringComparison.Ordinal))
        {
            // iqn.YYYY-MM.<at least one non-whitespace character>
            var rest = span[4..];
            return rest.Length >= 9 && IsAsciiDigits(rest[..4]) && rest[4] == '-' && IsAsciiDigits(rest[5..7]) && rest[7] == '.'
                && !ContainsWhiteSpace(rest[8..]);
        }
        if (span.StartsWith("eui.", StringComparison.Ordinal))
        {
            return span.Length == 4 + 16 && !span[4..].ContainsAnyExcept(HexDigits);
        }
        return span.StartsWith("naa.", StringComparison.Ordinal) && span.Length is >= 4 + 16 and <= 4 + 32 && !span[4..].ContainsAnyExcept(HexDigits);
    }

    private static readonly System.Buffers.SearchValues<char> NameChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789ABCDEFabcdef");

    private static bool AllNameChars(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(NameChars);

    private static bool IsAsciiDigits(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9');

    private static bool ContainsWhiteSpace(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }
        return false;
    }

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
