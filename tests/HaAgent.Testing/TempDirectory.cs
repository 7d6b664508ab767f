namespace HaAgent.Testing;

/// <summary>A private directory under /tmp removed with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = Directory.CreateTempSubdirectory($"haagent-{prefix}-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A daemon killed a moment ago may still be closing files; leaving a temp dir is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
