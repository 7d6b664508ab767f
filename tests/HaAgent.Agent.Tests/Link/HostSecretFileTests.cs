using HaAgent.Agent.Link;
using HaAgent.Testing;

namespace HaAgent.Agent.Tests.Link;

public sealed class HostSecretFileTests : IDisposable
{
    private readonly TempDirectory _directory = new("agent-secret");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void TryLoad_Base64Text_DecodedBytesAreTheSecret()
    {
        var secret = Enumerable.Range(0, 40).Select(i => (byte)i).ToArray();
        var path = _directory.File("b64.key");
        File.WriteAllText(path, Convert.ToBase64String(secret) + "\n");

        Assert.True(HostSecretFile.TryLoad(path, out var loaded, out var problem), problem);
        Assert.Equal(secret, loaded);
    }

    [Fact]
    public void TryLoad_RawBytes_FileBytesAreTheSecret()
    {
        var raw = Enumerable.Range(0, 32).Select(i => (byte)(200 + i % 50)).ToArray();
        var path = _directory.File("raw.key");
        File.WriteAllBytes(path, raw);

        Assert.True(HostSecretFile.TryLoad(path, out var loaded, out var problem), problem);
        Assert.Equal(raw, loaded);
    }

    [Fact]
    public void TryLoad_TooShort_RefusedWithoutShowingTheSecret()
    {
        var path = _directory.File("short.key");
        File.WriteAllText(path, "hunter2-hunter2");

        Assert.False(HostSecretFile.TryLoad(path, out _, out var problem));
        Assert.Contains("at least 32", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);
    }
}
