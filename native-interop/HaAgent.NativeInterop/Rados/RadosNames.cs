namespace HaAgent.NativeInterop.Rados;

/// <summary>Input checks done before anything native runs: librados would read a NUL as the end of the name.</summary>
internal static class RadosNames
{
    internal static void ThrowIfInvalid(string name, string parameterName)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("must not be empty", parameterName);
        }
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("must not contain NUL", parameterName);
        }
    }

    /// <summary>
    /// rados_getaddrs may print an address vector ("[v2:IP:0/N,v1:IP:0/N]") or a typed address ("v2:IP:0/N");
    /// the blocklist matches on IP:PORT/NONCE, so keep the first address without its type.
    /// </summary>
    internal static string StripAddressVector(string text)
    {
        var span = text.AsSpan().Trim();
        if (span.Length > 2 && span[0] == '[' && span[^1] == ']' && (span.StartsWith("[v") || span.StartsWith("[any:")))
        {
            span = span[1..^1];
            var comma = span.IndexOf(',');
            if (comma >= 0)
            {
                span = span[..comma];
            }
        }
        foreach (var type in (ReadOnlySpan<string>)["v1:", "v2:", "any:"])
        {
            if (span.StartsWith(type, StringComparison.Ordinal))
            {
                span = span[type.Length..];
                break;
            }
        }
        return span.ToString();
    }
}
