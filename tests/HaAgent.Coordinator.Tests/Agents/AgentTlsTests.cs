using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using HaAgent.Coordinator.Agents;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Tls;

namespace HaAgent.Coordinator.Tests.Agents;

/// <summary>The coordinator serving the agent endpoint over HTTPS from Tls:CertificateFile/KeyFile (real Kestrel, real certificates).</summary>
public sealed class AgentTlsTests : IDisposable
{
    private readonly TempDirectory _directory = new("agent-tls");
    private readonly TestCertificates _ca = TestCertificates.NewCa();

    public void Dispose() => _directory.Dispose();

    private Dictionary<string, string> Settings(X509Certificate2 certificate, string name = "server")
    {
        var (certificateFile, keyFile) = TestCertificates.WritePem(certificate, _directory.File(name));
        return new Dictionary<string, string>
        {
            ["Tls:CertificateFile"] = certificateFile,
            ["Tls:KeyFile"] = keyFile,
            ["Tls:ReloadCheckSeconds"] = "1",
        };
    }

    /// <summary>A client trusting only the test CA (custom root trust), remembering the certificate it was shown.</summary>
    private HttpClient TrustingClient(Uri address, List<X509Certificate2> seen, Version? version = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    var leaf = (X509Certificate2)certificate!;
                    lock (seen)
                    {
                        seen.Add(X509CertificateLoader.LoadCertificate(leaf.RawData));
                    }
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(_ca.Ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(leaf) && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
                },
            },
            PooledConnectionLifetime = TimeSpan.Zero,
        };
        return new HttpClient(handler)
        {
            BaseAddress = address,
            DefaultRequestVersion = version ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(20),
        };
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Heartbeat_OverHttps_IsAckedWithTheAgentsSecret(string version)
    {
        await using var host = await AgentHost.StartAsync(Settings(_ca.IssueServer()), kestrel: true, https: true);
        using var agent = host.Agent("node-06");
        var seen = new List<X509Certificate2>();
        using var client = TrustingClient(host.KestrelAddress!, seen, Version.Parse(version));
        using var content = new ByteArrayContent(agent.Frame(agent.NextHeartbeat()));
        content.Headers.ContentType = new MediaTypeHeaderValue(AgentEndpoint.FrameContentType);

        using var response = await client.PostAsync(AgentEndpoint.MessagesPath, content);

        Assert.Equal(Version.Parse(version), response.Version);
        Assert.IsType<HeartbeatAck>(await agent.ReadAsync(response));
        Assert.Equal("CN=coordinator", Assert.Single(seen).Subject);
    }

    [Fact]
    public async Task PlainHttp_ToTheHttpsPort_IsRefused_AndHttpsStillWorks()
    {
        await using var host = await AgentHost.StartAsync(Settings(_ca.IssueServer()), kestrel: true, https: true);
        using var agent = host.Agent("node-07");
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.KestrelAddress!.Port}"), Timeout = TimeSpan.FromSeconds(20) };
        using var content = new ByteArrayContent(agent.Frame(agent.NextHeartbeat()));
        content.Headers.ContentType = new MediaTypeHeaderValue(AgentEndpoint.FrameContentType);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => plain.PostAsync(AgentEndpoint.MessagesPath, content));

        Assert.Empty(host.Sink.From("node-07"));
        var seen = new List<X509Certificate2>();
        using var client = TrustingClient(host.KestrelAddress, seen);
        using var again = new ByteArrayContent(agent.Frame(agent.NextHeartbeat()));
        again.Headers.ContentType = new MediaTypeHeaderValue(AgentEndpoint.FrameContentType);
        using var response = await client.PostAsync(AgentEndpoint.MessagesPath, again);
        Assert.IsType<HeartbeatAck>(await agent.ReadAsync(response));
        Assert.NotNull(failure.HttpRequestError.ToString());
    }

    [Fact]
    public async Task RenewedCertificateFiles_AreServedToNewConnections_WithoutRestart()
    {
        var first = _ca.IssueServer(subject: "CN=first");
        await using var host = await AgentHost.StartAsync(Settings(first), kestrel: true, https: true);
        var seen = new List<X509Certificate2>();
        using (var client = TrustingClient(host.KestrelAddress!, seen))
        using (var response = await client.GetAsync("/healthz"))
        {
            Assert.Equal("CN=first", seen.Last().Subject);
        }

        TestCertificates.WritePem(_ca.IssueServer(subject: "CN=second"), _directory.File("server"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (seen.Last().Subject != "CN=second")
        {
            Assert.True(DateTime.UtcNow < deadline, "the renewed certificate was not served within 15 s");
            await Task.Delay(200);
            using var client = TrustingClient(host.KestrelAddress!, seen);
            using var response = await client.GetAsync("/healthz");
        }
        Assert.Contains(host.Logs.Lines, l => l.Contains("TLS certificate reloaded: CN=second", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BrokenRenewal_KeepsServingTheOldCertificate_AndSaysSo()
    {
        await using var host = await AgentHost.StartAsync(Settings(_ca.IssueServer(subject: "CN=kept")), kestrel: true, https: true);
        // A key that does not match the certificate (another pair's key).
        var other = TestCertificates.WritePem(_ca.IssueServer(), _directory.File("other"));
        File.Copy(other.Key, _directory.File("server.key"), overwrite: true);
        await Task.Delay(1200);
        var seen = new List<X509Certificate2>();
        for (var i = 0; i < 3; i++)
        {
            using var client = TrustingClient(host.KestrelAddress!, seen);
            using var response = await client.GetAsync("/healthz");
            await Task.Delay(500);
        }
        Assert.All(seen, c => Assert.Equal("CN=kept", c.Subject));
        Assert.Single(host.Logs.Lines, l => l.Contains("TLS certificate ", StringComparison.Ordinal) && l.Contains("unusable", StringComparison.Ordinal));
    }

    [Fact]
    public void Start_WithAMissingCertificateFile_FailsNamingTheKey()
    {
        using var host = new AgentHost(new Dictionary<string, string> { ["Tls:CertificateFile"] = _directory.File("nope.crt") });
        var failure = Assert.ThrowsAny<Exception>(() => host.Services);
        Assert.Contains("Tls:CertificateFile", failure.ToString(), StringComparison.Ordinal);
    }
}
