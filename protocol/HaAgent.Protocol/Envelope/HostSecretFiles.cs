using System.Diagnostics.CodeAnalysis;

namespace HaAgent.Protocol.Envelope;

/// <summary>
/// One host's secret as files, the rotation rule both sides follow (TRANSPORT.md "Secret rotation"): the current secret
/// in <c>&lt;path&gt;</c> and, during a rollover, the next one in <c>&lt;path&gt;.next</c>. When both exist the next is the
/// newest (signed with) and the current the previous (still accepted). Each file is read by <see cref="HostSecretFile"/>.
/// </summary>
public static class HostSecretFiles
{
    /// <summary>Suffix of the file holding the next secret during a rollover.</summary>
    public const string NextSuffix = ".next";

    public static string NextOf(string path) => path + NextSuffix;

    /// <summary>
    /// Reads <paramref name="path"/> and, when it exists, <c><paramref name="path"/>.next</c>. A missing current file is a
    /// problem; a next file that exists but is unusable is a problem too (it would be signed with by the other side).
    /// The same secret in both files counts as one.
    /// </summary>
    public static bool TryRead(string path, out HostSecretPair secrets, [NotNullWhen(false)] out string? problem)
    {
        secrets = default;
        if (!HostSecretFile.TryRead(path, out var current, out problem))
        {
            return false;
        }
        var next = NextOf(path);
        if (!File.Exists(next))
        {
            secrets = new HostSecretPair(current, default);
            return true;
        }
        if (!HostSecretFile.TryRead(next, out var newest, out problem))
        {
            return false;
        }
        secrets = newest.AsSpan().SequenceEqual(current) ? new HostSecretPair(newest, default) : new HostSecretPair(newest, current);
        return true;
    }
}
