using System.Diagnostics.CodeAnalysis;
using HaAgent.Protocol;

namespace HaAgent.Agent.Link;

/// <summary>
/// Reads this host's shared secret. The file holds either the raw secret or its base64 text: when the whole file
/// (trimmed) is valid base64 of at least <see cref="ProtocolLimits.MinSecretBytes"/> bytes, the decoded bytes are the
/// secret, else the file's bytes are. The coordinator reads its copy by the same rule. The secret never reaches a log:
/// problems name the path and the length only.
/// </summary>
internal static class HostSecretFile
{
    /// <summary>A secret file is tiny; anything bigger is the wrong file.</summary>
    private const int MaxFileBytes = 64 * 1024;

    public static bool TryLoad(string path, [NotNullWhen(true)] out byte[]? secret, [NotNullWhen(false)] out string? problem)
    {
        secret = null;
        byte[] bytes;
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
                problem = $"'{path}' is {info.Length} bytes; a secret file holds at most {MaxFileBytes}";
                return false;
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"'{path}' cannot be read: {e.Message}";
            return false;
        }

        var text = System.Text.Encoding.ASCII.GetString(bytes).Trim();
        var decoded = new byte[text.Length];
        if (text.Length > 0 && Convert.TryFromBase64String(text, decoded, out var written) && written >= ProtocolLimits.MinSecretBytes)
        {
            secret = decoded[..written];
        }
        else
        {
            secret = bytes;
        }
        if (secret.Length < ProtocolLimits.MinSecretBytes)
        {
            problem = $"'{path}' holds {secret.Length} bytes; the secret must be at least {ProtocolLimits.MinSecretBytes}";
            secret = null;
            return false;
        }
        problem = null;
        return true;
    }

    public static byte[] Load(string path) =>
        TryLoad(path, out var secret, out var problem) ? secret : throw new InvalidDataException($"Coordinator:SecretFile {problem}");
}
