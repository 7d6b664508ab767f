using System.Collections.Concurrent;
using System.Net.Http.Headers;
using HaAgent.Coordinator.Agents;
using HaAgent.Protocol.Messages;
using Xunit.Abstractions;

namespace HaAgent.Coordinator.Tests.Agents;

public sealed class AgentEndpointFuzzTests(AgentHostFixture fixture, ITestOutputHelper output) : IClassFixture<AgentHostFixture>
{
    private const int Seed = 20261126;

    private static readonly string[] ContentTypes =
    [
        AgentEndpoint.FrameContentType, AgentEndpoint.FrameContentType, AgentEndpoint.FrameContentType, "application/x-haagent-frame; x=1",
        "application/json", "text/plain", "multipart/form-data; boundary=x", "application/x-haagent-frame2", "*/*",
    ];

    private AgentHost Host => fixture.Host;

    [Fact]
    public async Task MalformedFramesBodiesAndHeaders_NeverGet5xx_AndReachNothing()
    {
        var random = new Random(Seed);
        var requests = new List<(string Method, string Path, byte[] Body, string? ContentType, string? Junk)>();
        var hosts = AgentHost.DirectoryHosts.Take(6).Select(Host.Agent).ToList();
        for (var i = 0; i < 3000; i++)
        {
            var agent = hosts[random.Next(hosts.Count)];
            var original = agent.Frame(Sample(random, agent));
            byte[] body;
            do
            {
                body = FrameFuzzer.MutateFrame(random, original);
            }
            while (body.AsSpan().SequenceEqual(original));
            var path = random.Next(2) == 0 ? AgentEndpoint.MessagesPath : AgentEndpoint.OrdersPath;
            var method = random.Next(30) == 0 ? (random.Next(2) == 0 ? "PUT" : "GET") : "POST";
            var contentType = random.Next(8) switch
            {
                0 => null,
                1 => ContentTypes[random.Next(ContentTypes.Length)],
                _ => AgentEndpoint.FrameContentType,
            };
            if (random.Next(100) == 0)
            {
                body = new byte[HaAgent.Protocol.ProtocolLimits.MaxEnvelopeBytes + random.Next(1, 5000)];
            }
            var junk = random.Next(4) == 0 ? JunkHeader(random) : null;
            requests.Add((method, path, body, contentType, junk));
        }

        var accepted = Host.Sink.Accepted.Count;
        var statuses = await SendAllAsync(requests);

        Report(statuses);
        Assert.DoesNotContain(statuses.Keys, s => s >= 500 && s != 503);
        Assert.False(statuses.ContainsKey(503), "this instance leads: no 503 expected");
        Assert.False(statuses.ContainsKey(200), "a mutated frame was accepted");
        Assert.Equal(accepted, Host.Sink.Accepted.Count);
        foreach (var agent in hosts)
        {
            agent.Dispose();
        }
    }

    [Fact]
    public async Task ReSignedMutatedBodies_NeverGet5xx_AndOnlyAcceptedOnesReachTheSink()
    {
        var random = new Random(Seed + 1);
        var agent = Host.Agent("node-24");
        var requests = new List<(string Method, string Path, byte[] Body, string? ContentType, string? Junk)>();
        for (var i = 0; i < 2000; i++)
        {
            var body = FrameFuzzer.MutateBody(random, FrameFuzzer.BodyOf(agent.Frame(agent.NextHeartbeat())));
            requests.Add(("POST", AgentEndpoint.MessagesPath, FrameFuzzer.Sign(body, agent.HostId, agent.Secret), AgentEndpoint.FrameContentType, null));
        }

        var before = Host.Sink.From(agent.HostId).Count;
        var statuses = await SendAllAsync(requests);

        Report(statuses);
        Assert.DoesNotContain(statuses.Keys, s => s >= 500);
        Assert.Equal(statuses.GetValueOrDefault(200), Host.Sink.From(agent.HostId).Count - before);
        Assert.True(statuses.GetValueOrDefault(400) > 1000, "most mutations must be refused as malformed or invalid");
        agent.Dispose();
    }

    private static AgentMessage Sample(Random random, TestAgent agent) => random.Next(4) switch
    {
        0 => agent.NextHeartbeat(),
        1 => new OrderPollMessage(agent.HostId, 1, new OrderStamp(random.Next(5), random.Next(5))),
        2 => new VmReportMessage(agent.HostId, 1, [new VmStatus("vm-1", VmRunState.Running, 100), new VmStatus("vm-2", VmRunState.Hung, 200)]),
        _ => new HelloMessage(agent.HostId, 2, "1.2.3", ["fence", "unfence"], new FenceIdentity(["127.0.0.9:6800/42"], "abc")),
    };

    private static string JunkHeader(Random random) => random.Next(5) switch
    {
        0 => "Authorization: Bearer " + new string('x', random.Next(1, 100)),
        1 => "Content-Encoding: gzip",
        2 => "HaAgent-Leader: http://127.0.0.1:1",
        3 => "Authorization: Basic Zm9vOmJhcg==",
        _ => "X-Junk: " + new string('\u00e9', random.Next(1, 50)),
    };

    private async Task<Dictionary<int, int>> SendAllAsync(List<(string Method, string Path, byte[] Body, string? ContentType, string? Junk)> requests)
    {
        var statuses = new ConcurrentDictionary<int, int>();
        using var client = Host.NewClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, ct) =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(r.Method), r.Path);
            if (r.Method != "GET")
            {
                request.Content = new ByteArrayContent(r.Body);
                if (r.ContentType is not null)
                {
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(r.ContentType);
                }
            }
            if (r.Junk is { } junk)
            {
                var colon = junk.IndexOf(':', StringComparison.Ordinal);
                var name = junk[..colon];
                var value = junk[(colon + 2)..];
                if (name == "Content-Encoding" && request.Content is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
                else
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
            }
            using var response = await client.SendAsync(request, ct);
            statuses.AddOrUpdate((int)response.StatusCode, 1, static (_, n) => n + 1);
        });
        return statuses.ToDictionary();
    }

    private void Report(Dictionary<int, int> statuses) =>
        output.WriteLine(string.Join(" ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}x{p.Value}")));
}
