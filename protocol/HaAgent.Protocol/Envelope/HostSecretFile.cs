using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;

namespace HaAgent.Protocol.Envelope;

/// <summary>
/// Reads a per-host secret file, the one rule both sides use (the agent its <c>coordinator.secretFile</c>, the coordinator
/// its <c>Agents:Hosts:&lt;id&gt;:SecretFile</c> / <c>&lt;SecretDirectory&gt;/&lt;id&gt;.key</c>): when the
/// content, without leading/trailing whitespace, is valid base64 it is decoded (<c>openssl rand -base64 48</c>);
/// otherwise the file's bytes are the secret as they are (<c>head -c 32 /dev/urandom</c>). Either way at least
/// <see cref="ProtocolLimits.MinSecretBytes"/> bytes. Problems never quote the content.
/// </summary>
public static class HostSecretFile
{
    /// <summary>A secret file is small; a bigger one is a wrong path (a disk image, a log), not a key.</summary>
    public const int MaxFileBytes = 64 * 1024;

    public static bool TryRead(string path, [NotNullWhen(true)] out byte[]? secret, [NotNullWhen(false)] out string? problem)
    {
        secret = null;
        byte[] content;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                problem = $"'{path}' does not exist";
                return false;
            }
            if (info.Length > MaxFileBytes)
            {
                problem = $"'{path}' is larger than {MaxFileBytes} bytes";
                return false;
            }
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = $"'{path}' cannot be read ({e.GetType().Name})";
            return false;
        }

        var text = Trim(content);
        if (text.Length > 0 && Base64.IsValid(text, out var decodedLength))
        {
            var decoded = new byte[decodedLength];
            // Convert skips the line breaks that `openssl rand -base64` puts every 64 characters; Base64.DecodeFromUtf8 would not.
            if (!Convert.TryFromBase64String(System.Text.Encoding.ASCII.GetString(text), decoded, out var written))
            {
                problem = $"'{path}' is not valid base64";
                return false;
            }
            if (written < ProtocolLimits.MinSecretBytes)
            {
                problem = $"'{path}' holds base64 of {written} bytes; at least {ProtocolLimits.MinSecretBytes} are required";
                return false;
            }
            secret = written == decoded.Length ? decoded : decoded[..written];
            problem = null;
            return true;
        }
        if (content.Length < ProtocolLimits.MinSecretBytes)
        {
            problem = $"'{path}' holds {content.Length} bytes; at least {ProtocolLimits.MinSecretBytes} are required";
            return false;
        }
        secret = content;
        problem = null;
        return true;
    }


    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> content)
    {
        var start = 0;
        var end = content.Length;
        while (start < end && IsWhitespace(content[start]))
        {
            start++;
        }
        while (end > start && IsWhitespace(content[end - 1]))
        {
            end--;
        }
        return content[start..end];
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
