namespace HaAgent.Agent.Restart;

/// <summary>
/// Recognises QEMU's image-lock refusal inside libvirt's start error: QEMU takes OFD write locks on its images, and a
/// second writer gets <c>Failed to get "write" lock</c> (or <c>Failed to get shared "write" lock</c>) followed by
/// <c>Is another process using the image [PATH]?</c>. libvirt passes QEMU's stderr through as an internal error.
/// Plain string search, not a Regex: the regex engine would add ~0.3 MB to the NativeAOT agent for this one pattern.
/// </summary>
internal static class ImageLockError
{
    private const string ImageMarker = "Is another process using the image [";

    public static bool Matches(string message, out string? image)
    {
        image = null;
        if (!message.Contains("\"write\" lock", StringComparison.Ordinal))
        {
            return false;
        }
        // The path is what stands between the marker's '[' and the first ']' after it (as the pattern \[([^\]]*)\] took it).
        var start = message.IndexOf(ImageMarker, StringComparison.Ordinal);
        if (start >= 0)
        {
            start += ImageMarker.Length;
            var end = message.IndexOf(']', start);
            image = end >= 0 ? message[start..end] : null;
        }
        return true;
    }
}
