using System.Text.RegularExpressions;

namespace HaAgent.Agent.Restart;

/// <summary>
/// Recognises QEMU's image-lock refusal inside libvirt's start error: QEMU takes OFD write locks on its images, and a
/// second writer gets <c>Failed to get "write" lock</c> (or <c>Failed to get shared "write" lock</c>) followed by
/// <c>Is another process using the image [PATH]?</c>. libvirt passes QEMU's stderr through as an internal error.
/// </summary>
internal static partial class ImageLockError
{
    public static bool Matches(string message, out string? image)
    {
        image = null;
        if (!message.Contains("\"write\" lock", StringComparison.Ordinal))
        {
            return false;
        }
        var match = ImagePattern().Match(message);
        image = match.Success ? match.Groups[1].Value : null;
        return true;
    }

    [GeneratedRegex(@"Is another process using the image \[([^\]]*)\]")]
    private static partial Regex ImagePattern();
}
