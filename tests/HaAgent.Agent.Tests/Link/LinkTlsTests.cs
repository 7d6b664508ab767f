using System.Security.Cryptography;
using HaAgent.Agent.Configuration;
using HaAgent.Agent.Link;
using HaAgent.Agent.SelfFence;
using HaAgent.Agent.Tests.DBus;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Tls;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Tests.Link;

/// <summary>
/// The agent's link over TLS (TRANSPORT.md "TLS"): the real <see cref="CoordinatorClient"/> with the check the daemon
/// builds from Coordinator:CaFile / PinnedCertificates, against a TLS front with real certificates made at test time.
/// A refused certificate: no contact, one clear warning line, retrying goes on, and a fixed certificate is taken.
/// </summary>
public sealed class LinkTlsTests : IDisposable
{
    private const string HostId = "host-tls";
    private readonly TempDirectory _directory = new("link-tls");
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private readonly TestCertificates _ca = TestCertificates.NewCa();
    private readonly TestCoordinator _coordinator;

    public LinkTlsTests()
    {
        _coordinator = new TestCoordinator(HostId, _secret);
    }

    public void Dispose()
    {
        _coordinator.Dispose();
        _directory.Dispose();
    }

    private (CoordinatorClient Client, ListLogger<CoordinatorClient> Log, CoordinatorContact Contact) Client(string endpoint, TestCertificates? trusted = null,
        IEnumerable<string>? pins = null)
    {
        var log = new ListLogger<CoordinatorClient>();
        var contact = new CoordinatorContact(TimeProvider.System);
        var roots = trusted is null ? null : new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(trusted.Ca);
        var check = new CoordinatorCertificateCheck(roots, trusted is null ? null : _directory.File("ca.pem"),
            (pins ?? []).Select(CoordinatorTlsRules.ParsePin).OfType<byte[]>(), TimeProvider.System);
        var codec = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(HostId, _secret), TimeProvider.System);
        var client = new CoordinatorClient([endpoint], HostId, codec, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), contact, log,
            check, "2");
        return (client, log, contact);
    }

    private static HeartbeatMessage Beat(long sequence) => new(HostId, 1, sequence, new OrderStamp(0, 0));

    [Fact]
    public async Task TrustedCa_RightName_HeartbeatAcked()
    {
        using var front = new TlsFront(new Uri(_coordinator.BaseUrl), _ca.IssueServer());
        var (client, log, _) = Client(front.BaseUrl, _ca);
        using (client)
        {
            var outcome = await client.SendAsync(Beat(1), CancellationToken.None);

            Assert.NotNull(outcome.Ack);
            await _coordinator.WaitForAsync<HeartbeatMessage>(h => h.Sequence == 1, TimeSpan.FromSeconds(5));
            Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
        }
    }

    public static TheoryData<string> Refusals => ["wrong-ca", "expired", "not-yet-valid", "wrong-name", "self-signed-unpinned"];

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task UntrustedCertificate_IsRefused_OneClearLine_RetriesGoOn_ThenAFixedCertificateWorks(string kind)
    {
        var stranger = TestCertificates.NewCa("Some other CA");
        var bad = kind switch
        {
            "wrong-ca" => stranger.IssueServer(),
            "expired" => _ca.IssueServer(notBefore: DateTimeOffset.UtcNow.AddDays(-30), notAfter: DateTimeOffset.UtcNow.AddMinutes(-1)),
            "not-yet-valid" => _ca.IssueServer(notBefore: DateTimeOffset.UtcNow.AddHours(1), notAfter: DateTimeOffset.UtcNow.AddDays(30)),
            "wrong-name" => _ca.IssueServer(names: ["coordinator.example.org", "10.9.9.9"]),
            _ => TestCertificates.SelfSignedServer(),
        };
        using var front = new TlsFront(new Uri(_coordinator.BaseUrl), bad);
        var (client, log, contact) = Client(front.BaseUrl, _ca);
        using (client)
        {
            var touched = contact.LastContact;
            for (var i = 1; i <= 5; i++)
            {
                var outcome = await client.SendAsync(Beat(i), CancellationToken.None);
                Assert.Null(outcome.Ack);
                Assert.True(outcome.Problem?.Contains("TLS refused", StringComparison.Ordinal), outcome.Problem);
            }

            Assert.True(front.Handshakes >= 5, $"only {front.Handshakes} handshakes: the agent stopped retrying");
            Assert.Empty(_coordinator.All);
            Assert.Equal(touched, contact.LastContact);
            var warning = Assert.Single(log.Entries, e => e.Level >= LogLevel.Warning);
            var expected = kind switch
            {
                "wrong-ca" or "self-signed-unpinned" => "does not chain to a CA of Coordinator:CaFile",
                "expired" or "not-yet-valid" => "has expired or is not yet valid",
                _ => "does not name this endpoint's host (subject alternative names: coordinator.example.org 10.9.9.9)",
            };
            Assert.Contains(expected, warning.Message, StringComparison.Ordinal);
            Assert.Contains(front.BaseUrl, warning.Message, StringComparison.Ordinal);

            front.Certificate = _ca.IssueServer();
            var fixedOutcome = await client.SendAsync(Beat(6), CancellationToken.None);
            Assert.NotNull(fixedOutcome.Ack);
            Assert.Contains(log.Entries, e => e.Message.StartsWith("Leading coordinator reached", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task PinnedSelfSignedCertificate_IsTrusted_AnotherIsRefused()
    {
        var pinned = TestCertificates.SelfSignedServer(names: ["not-this-host.example"]);
        using var front = new TlsFront(new Uri(_coordinator.BaseUrl), pinned);
        var (client, _, _) = Client(front.BaseUrl, pins: [string.Join(':', TestCertificates.Sha256Hex(pinned).Chunk(2).Select(c => new string(c)))]);
        using (client)
        {
            Assert.NotNull((await client.SendAsync(Beat(1), CancellationToken.None)).Ack);

            front.Certificate = TestCertificates.SelfSignedServer();
            await Task.Delay(100);
            // The pooled connection still holds the pinned certificate; a new one (after the old is dropped) must not.
            var (fresh, _, _) = Client(front.BaseUrl, pins: [TestCertificates.Sha256Hex(pinned)]);
            using (fresh)
            {
                var outcome = await fresh.SendAsync(Beat(2), CancellationToken.None);
                Assert.Null(outcome.Ack);
                Assert.Contains("is not one of Coordinator:PinnedCertificates", outcome.Problem, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task PlainHttp_ToATlsPort_FailsWithAHint()
    {
        using var front = new TlsFront(new Uri(_coordinator.BaseUrl), _ca.IssueServer());
        var (client, log, _) = Client($"http://127.0.0.1:{front.Port}/");
        using (client)
        {
            var outcome = await client.SendAsync(Beat(1), CancellationToken.None);
            Assert.Null(outcome.Ack);
            Assert.Contains("is this endpoint https://?", outcome.Problem, StringComparison.Ordinal);
            Assert.Single(log.Entries, e => e.Level >= LogLevel.Warning);
            Assert.Empty(_coordinator.All);
        }
    }

    [Fact]
    public async Task SystemTrust_WithoutCaFile_RefusesATestCa()
    {
        using var front = new TlsFront(new Uri(_coordinator.BaseUrl), _ca.IssueServer());
        var (client, _, _) = Client(front.BaseUrl);
        using (client)
        {
            var outcome = await client.SendAsync(Beat(1), CancellationToken.None);
            Assert.Null(outcome.Ack);
            Assert.Contains("is not trusted by the system trust store", outcome.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Configuration_TlsKeys_AreChecked()
    {
        var ca = _ca.WriteCa(_directory.File("ca.pem"));
        File.WriteAllText(_directory.File("junk.pem"), "not a certificate");
        List<string> Check(Action<AgentOptions> change)
        {
            var options = new AgentOptions { HostId = HostId, CoordinatorEndpoints = ["https://127.0.0.1:7480/"] };
            change(options);
            var failures = new List<string>();
            CoordinatorTlsRules.Check(options, failures);
            return failures;
        }

        Assert.Empty(Check(o => o.Coordinator.CaFile = ca));
        Assert.Empty(Check(o => o.Coordinator.PinnedCertificates = [new string('a', 64), string.Join(':', Enumerable.Repeat("AB", 32))]));
        Assert.StartsWith("Coordinator:CaFile", Assert.Single(Check(o => o.Coordinator.CaFile = _directory.File("junk.pem"))), StringComparison.Ordinal);
        Assert.StartsWith("Coordinator:CaFile", Assert.Single(Check(o => o.Coordinator.CaFile = _directory.File("missing.pem"))), StringComparison.Ordinal);
        Assert.StartsWith("Coordinator:PinnedCertificates:0", Assert.Single(Check(o => o.Coordinator.PinnedCertificates = ["abc"])), StringComparison.Ordinal);
        Assert.StartsWith("Coordinator:HttpVersion", Assert.Single(Check(o => o.Coordinator.HttpVersion = "3")), StringComparison.Ordinal);
        Assert.StartsWith("CoordinatorEndpoints:1", Assert.Single(Check(o =>
        {
            o.Coordinator.CaFile = ca;
            o.CoordinatorEndpoints.Add("http://127.0.0.1:7481/");
        })), StringComparison.Ordinal);
    }
}
