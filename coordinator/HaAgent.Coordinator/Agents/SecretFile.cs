namespace HaAgent.Coordinator.Agents;

/// <summary>Where the coordinator finds per-host secret files; their content is read by <see cref="HaAgent.Protocol.Envelope.HostSecretFile"/>.</summary>
internal static class SecretFile
{
    public const string Extension = ".key";

    /// <summary>The <c>*.key</c> files of a secret directory (not recursive); empty when it cannot be listed.</summary>
    public static IEnumerable<string> EnumerateKeyFiles(string directory)
    {
        try
        {
            return Directory.GetFiles(directory, "*" + Extension, SearchOption.TopDirectoryOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public static string HostIdOf(string path) => Path.GetFileNameWithoutExtension(path);
}
