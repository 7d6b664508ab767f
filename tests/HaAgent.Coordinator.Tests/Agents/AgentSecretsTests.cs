using System.Net;
using System.Security.Cryptography;
using System.Text;
using HaAgent.Coordinator.Agents;
using HaAgent.Protocol.Envelope;
using HaAgent.Testing;

namespace HaAgent.Coordinator.Tests.Agents;

public sealed class AgentSecretsTests : IDisposable
{
    private readonly TempDirectory _directory = new("agent-secrets");

    [Fact]
    public void TryRead_Base64WithNewlineOrLineWraps_IsDecoded()
    {
        var secret = RandomNumberGenerator.GetBytes(64);
        var base64 = Convert.ToBase64String(secret);
        var wrapped = base64[..64] + "\n" + base64[64..] + "\n";

        Assert.True(HostSecretFile.TryRead(Write("a.key", base64 + "\n"), out var single, out _));
        Assert.True(HostSecretFile.TryRead(Write("b.key", wrapped), out var lines, out _));

        Assert.Equal(secret, single);
        Assert.Equal(secret, lines);
    }

    [Fact]
    public void TryRead_RawBinary_IsUsedAsItIs()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        secret[5] = 0; // a NUL cannot be base64 text
        var path = _directory.File("raw.key");
        File.WriteAllBytes(path, secret);
        Assert.True(HostSecretFile.TryRead(path, out var read, out _));
        Assert.Equal(secret, read);
    }

    [Fact]
    public void TryRead_ShortOrMissing_SaysWhyWithoutQuotingTheContent()
    {
        Assert.False(HostSecretFile.TryRead(Write("short.key", "tiny-secret-value\n"), out _, out var shortRaw));
        Assert.Contains("at least 32", shortRaw, StringComparison.Ordinal);
        Assert.DoesNotContain("tiny-secret-value", shortRaw, StringComparison.Ordinal);

        var shortBase64 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        Assert.False(HostSecretFile.TryRead(Write("short64.key", shortBase64), out _, out var short64));
        Assert.Contains("24 bytes", short64, StringComparison.Ordinal);
        Assert.DoesNotContain(shortBase64, short64, StringComparison.Ordinal);

        Assert.False(HostSecretFile.TryRead(_directory.File("absent.key"), out _, out var missing));
        Assert.Contains("does not exist", missing, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_AreUsable() => Assert.Null(new AgentEndpointOptions().Validate());

    [Fact]
    public void Validate_BadHostEntries_NameTheKey()
    {
        var good = Write("good.secret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        Assert.StartsWith("Agents:Hosts:h1:SecretFile", Options(("h1", _directory.File("missing"))).Validate(), StringComparison.Ordinal);
        Assert.StartsWith("Agents:Hosts:h2:SecretFile", Options(("h2", Write("short", "0123456789"))).Validate(), StringComparison.Ordinal);
        Assert.StartsWith("Agents:Hosts:h3:SecretFile", Options(("h3", null)).Validate(), StringComparison.Ordinal);
        Assert.StartsWith("Agents:Hosts:bad host", Options(("bad host", good)).Validate(), StringComparison.Ordinal);
        Assert.Null(Options(("h4", good)).Validate());
    }

    [Fact]
    public void Validate_BadDirectoryOrNumbers_NameTheKey()
    {
        Assert.StartsWith("Agents:SecretDirectory", new AgentEndpointOptions { SecretDirectory = _directory.File("none") }.Validate(), StringComparison.Ordinal);
        var keys = Directory.CreateDirectory(_directory.File("keys")).FullName;
        File.WriteAllText(Path.Combine(keys, "short-host.key"), "0123");
        Assert.StartsWith("Agents:SecretDirectory file 'short-host.key'", new AgentEndpointOptions { SecretDirectory = keys }.Validate(), StringComparison.Ordinal);
        Assert.StartsWith("Agents:PollSeconds", new AgentEndpointOptions { PollSeconds = 0 }.Validate(), StringComparison.Ordinal);
        Assert.StartsWith("Agents:MaxQueuedOrdersPerHost", new AgentEndpointOptions { MaxQueuedOrdersPerHost = 0 }.Validate(), StringComparison.Ordinal);
        Assert.StartsWith("Agents:LeaderUrls:c1", new AgentEndpointOptions { LeaderUrls = { ["c1"] = "not a url" } }.Validate(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_WithAMissingSecretFile_FailsNamingTheKey()
    {
        using var host = new AgentHost(new Dictionary<string, string> { ["Agents:Hosts:h9:SecretFile"] = _directory.File("nope.key") });
        var failure = Assert.ThrowsAny<Exception>(() => host.Services);
        Assert.Contains("Agents:Hosts:h9:SecretFile", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewHostKeyFile_WorksWithoutRestart_AndARemovedOneStops()
    {
        await using var host = await AgentHost.StartAsync();
        var secret = RandomNumberGenerator.GetBytes(32);
        using var agent = new TestAgent(host, "late-host", secret);
        using (var unknown = await agent.SendAsync(agent.NextHeartbeat()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }

        var path = Path.Combine(host.SecretDirectory, "late-host.key");
        await File.WriteAllTextAsync(path, Convert.ToBase64String(secret));
        Assert.Equal(HttpStatusCode.OK, await EventuallyAsync(agent, HttpStatusCode.OK));

        File.Delete(path);
        // A removed key is noticed at the next re-read, which an unknown host triggers.
        using var ghost = new TestAgent(host, "ghost", RandomNumberGenerator.GetBytes(32));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            (await ghost.SendAsync(ghost.NextHeartbeat())).Dispose();
            using var response = await agent.SendAsync(agent.NextHeartbeat());
            status = response.StatusCode;
        }
        while (status == HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    public void Dispose() => _directory.Dispose();

    private static async Task<HttpStatusCode> EventuallyAsync(TestAgent agent, HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await agent.SendAsync(agent.NextHeartbeat());
            if (response.StatusCode == wanted || DateTime.UtcNow > deadline)
            {
                return response.StatusCode;
            }
            await Task.Delay(200);
        }
    }

    private string Write(string name, string content)
    {
        var path = _directory.File(name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private static AgentEndpointOptions Options(params (string Host, string? File)[] hosts)
    {
        var options = new AgentEndpointOptions();
        foreach (var (host, file) in hosts)
        {
            options.Hosts[host] = new AgentHostOptions { SecretFile = file };
        }
        return options;
    }
}
