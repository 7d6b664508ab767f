using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using HaAgent.Coordinator.Agents;
using HaAgent.Protocol;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Tests.Agents;

public sealed class AgentMessagesTests(AgentHostFixture fixture) : IClassFixture<AgentHostFixture>
{
    private AgentHost Host => fixture.Host;

    [Fact]
    public async Task Heartbeat_FromKnownHost_IsAckedWithLeaderEpochAndSequenceAndReachesTheSink()
    {
        using var agent = Host.Agent("node-01");
        var heartbeat = agent.NextHeartbeat() with { Sequence = 4242 };

        using var response = await agent.SendAsync(heartbeat);

        var ack = Assert.IsType<HeartbeatAck>(await agent.ReadAsync(response));
        Assert.Equal(Host.Sink.StoreEpoch, ack.Epoch);
        Assert.True(ack.Epoch > 0);
        Assert.Equal(4242, ack.HeartbeatSequence);
        Assert.Equal(heartbeat, Assert.Single(Host.Sink.From("node-01")));
    }

    [Fact]
    public async Task OtherMessages_AreAckedWithSequenceZero_AndReachTheSinkInOrder()
    {
        using var agent = Host.Agent("node-02");
        AgentMessage[] messages =
        [
            new HelloMessage("node-02", 7, "1.0.0", ["fence"], new FenceIdentity(["127.0.0.2:6800/123"], "0x1a2b")),
            new VmReportMessage("node-02", 7, [new VmStatus("vm-1", VmRunState.Running, 4711), new VmStatus("vm-2", VmRunState.Stopped, null)]),
            new SelfFenceReportMessage("node-02", 7, "lost storage", ["vm-1"]),
            new OrderResultMessage("node-02", 7, "start-vm-1-3-1", new OrderStamp(3, 1), OrderOutcome.Failed, null, [], FailureKind.StaleStamp, "stale"),
        ];
        foreach (var message in messages)
        {
            using var response = await agent.SendAsync(message);
            var ack = Assert.IsType<HeartbeatAck>(await agent.ReadAsync(response));
            Assert.Equal(0, ack.HeartbeatSequence);
        }
        // Records holding lists compare those by reference: compare what arrived by type and order.
        Assert.Equal(messages.Select(m => m.GetType()), Host.Sink.From("node-02").Select(m => m.GetType()));
        Assert.Equal("lost storage", Assert.IsType<SelfFenceReportMessage>(Host.Sink.From("node-02")[2]).Reason);
    }

    [Fact]
    public async Task Heartbeat_FromConfiguredHostWithRawKeyFile_IsAccepted()
    {
        using var agent = Host.Agent(AgentHost.ConfiguredHost);
        using var response = await agent.SendAsync(agent.NextHeartbeat());
        Assert.IsType<HeartbeatAck>(await agent.ReadAsync(response));
    }

    [Fact]
    public async Task Heartbeat_WithAnApiAuthorizationHeader_IsStillJudgedByItsMacOnly()
    {
        using var agent = Host.Agent("node-03");
        agent.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token-at-all-000000");
        using var response = await agent.SendAsync(agent.NextHeartbeat());
        Assert.IsType<HeartbeatAck>(await agent.ReadAsync(response));
    }

    [Fact]
    public async Task Heartbeat_SignedWithAnotherSecret_Is401AndReachesNothing()
    {
        using var agent = new TestAgent(Host, "node-04", RandomNumberGenerator.GetBytes(32));
        await AssertRefusedAsync(agent, AgentEndpoint.MessagesPath, agent.Frame(agent.NextHeartbeat()), HttpStatusCode.Unauthorized, "Unauthenticated");
    }

    [Fact]
    public async Task Heartbeat_FromUnknownHost_Is401()
    {
        using var agent = new TestAgent(Host, "ghost-host", RandomNumberGenerator.GetBytes(32));
        await AssertRefusedAsync(agent, AgentEndpoint.MessagesPath, agent.Frame(agent.NextHeartbeat()), HttpStatusCode.Unauthorized, "Unauthenticated");
    }

    [Fact]
    public async Task Heartbeat_WithATamperedByte_Is401()
    {
        using var agent = Host.Agent("node-05");
        var frame = agent.Frame(agent.NextHeartbeat());
        frame[frame.Length - 40] ^= 0x01;
        await AssertRefusedAsync(agent, AgentEndpoint.MessagesPath, frame, HttpStatusCode.Unauthorized, "Unauthenticated");
    }

    [Fact]
    public async Task Heartbeat_SpeakingForAnotherHost_Is401NamingHostId()
    {
        using var agent = Host.Agent("node-06");
        var body = System.Text.Encoding.UTF8.GetBytes("""{"type":"heartbeat","hostId":"node-07","incarnation":1,"sequence":1,"lastStamp":{"epoch":0,"sequence":0}}""");
        await AssertRefusedAsync(agent, AgentEndpoint.MessagesPath, FrameFuzzer.Sign(body, "node-06", agent.Secret), HttpStatusCode.Unauthorized, "Unauthenticated hostId");
    }

    [Fact]
    public async Task Heartbeat_SentTwice_IsRefused409TheSecondTime()
    {
        using var agent = Host.Agent("node-08");
        var frame = agent.Frame(agent.NextHeartbeat());
        using (var first = await agent.PostAsync(AgentEndpoint.MessagesPath, frame))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        using var second = await agent.PostAsync(AgentEndpoint.MessagesPath, frame);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("Replayed", (await second.Content.ReadAsStringAsync()).Trim());
        Assert.Single(Host.Sink.From("node-08"));
    }

    [Fact]
    public async Task Heartbeat_SignedAMinuteAgo_Is409Expired()
    {
        using var agent = Host.Agent("node-09");
        var frame = ProtocolCodec.Encode(agent.NextHeartbeat(), agent.HostId, agent.Secret, DateTimeOffset.UtcNow.AddMinutes(-1), RandomNumberGenerator.GetBytes(16));
        await AssertRefusedAsync(agent, AgentEndpoint.MessagesPath, frame, HttpStatusCode.Conflict, "Expired");
    }

    [Fact]
    public async Task Heartbeat_OfAnotherProtocolVersion_Is400()
    {
        using var agent = Host.Agent("node-10");
        var frame = ProtocolCodec.Encode(agent.NextHeartbeat(), agent.HostId, agent.Secret, DateTimeOffset.UtcNow, RandomNumberGenerator.GetBytes(16), version: 2);
        await AssertRefusedAsync(agent, AgentEndpoint.MessagesPath, frame, HttpStatusCode.BadRequest, "UnsupportedVersion");
    }

    [Fact]
    public async Task Body_WithAnInvalidField_Is400NamingTheField()
    {
        using var agent = Host.Agent("node-11");
        var body = System.Text.Encoding.UTF8.GetBytes("""{"type":"heartbeat","hostId":"node-11","incarnation":1,"sequence":-5,"lastStamp":{"epoch":0,"sequence":0}}""");
        await AssertRefusedAsync(agent, AgentEndpoint.MessagesPath, FrameFuzzer.Sign(body, "node-11", agent.Secret), HttpStatusCode.BadRequest, "Invalid sequence");
    }

    [Fact]
    public async Task Body_OverTheFrameLimit_Is413WithOrWithoutContentLength()
    {
        using var agent = Host.Agent("node-12");
        var tooLarge = new byte[ProtocolLimits.MaxEnvelopeBytes + 1];
        await AssertRefusedAsync(agent, AgentEndpoint.MessagesPath, tooLarge, HttpStatusCode.RequestEntityTooLarge, "TooLarge");

        // Chunked: no Content-Length to refuse early; the read itself must stop one byte past the limit.
        using var content = new StreamContent(new MemoryStream(tooLarge));
        content.Headers.ContentType = new MediaTypeHeaderValue(AgentEndpoint.FrameContentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, AgentEndpoint.MessagesPath) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await agent.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(Host.Sink.From("node-12"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("application/octet-stream")]
    [InlineData("text/plain")]
    public async Task Frame_WithTheWrongContentType_Is415(string? contentType)
    {
        using var agent = Host.Agent("node-13");
        using var response = await agent.PostAsync(AgentEndpoint.MessagesPath, agent.Frame(agent.NextHeartbeat()), contentType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Empty(Host.Sink.From("node-13"));
    }

    [Fact]
    public async Task Frame_WithContentTypeParameters_IsAccepted()
    {
        using var agent = Host.Agent("node-14");
        using var response = await agent.PostAsync(AgentEndpoint.MessagesPath, agent.Frame(agent.NextHeartbeat()), "Application/X-HaAgent-Frame; charset=binary");
        Assert.IsType<HeartbeatAck>(await agent.ReadAsync(response));
    }

    [Fact]
    public async Task OrderPoll_PostedAsAMessage_Is400Type()
    {
        using var agent = Host.Agent("node-15");
        await AssertRefusedAsync(agent, AgentEndpoint.MessagesPath, agent.Poll(default), HttpStatusCode.BadRequest, "Invalid type");
    }

    [Fact]
    public async Task Heartbeat_WhenNotLeading_Is503WithTheLeaderHintAndAcceptsNothing()
    {
        using var agent = Host.Agent("node-16");
        Host.Sink.ForceEpoch(0);
        try
        {
            using var response = await agent.SendAsync(agent.NextHeartbeat());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            // The store still names this instance, whose URL is configured: the hint a follower would give.
            Assert.Equal(AgentHost.LeaderUrl, Assert.Single(response.Headers.GetValues(AgentEndpoint.LeaderHeader)));
            using var poll = await agent.PollAsync(default);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, poll.StatusCode);
        }
        finally
        {
            Host.Sink.FollowTheStore();
        }
        Assert.Empty(Host.Sink.From("node-16"));
        using var after = await agent.SendAsync(agent.NextHeartbeat());
        Assert.IsType<HeartbeatAck>(await agent.ReadAsync(after));
    }

    [Fact]
    public async Task Refusals_AreCountedEachButLoggedOncePerHostPerInterval()
    {
        using var agent = Host.Agent("node-17");
        var before = Host.Metrics[AgentCounter.Replayed];
        var frame = agent.Frame(agent.NextHeartbeat());
        (await agent.PostAsync(AgentEndpoint.MessagesPath, frame)).Dispose();
        for (var i = 0; i < 20; i++)
        {
            using var response = await agent.PostAsync(AgentEndpoint.MessagesPath, frame);
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        }
        Assert.True(Host.Metrics[AgentCounter.Replayed] - before >= 20);
        Assert.Single(Host.Logs.Lines, l => l.Contains("refused with 409", StringComparison.Ordinal) && l.Contains("host node-17", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Secrets_NeverAppearInAnswersOrLogs()
    {
        using var agent = Host.Agent("node-18");
        using var wrong = new TestAgent(Host, "node-18", RandomNumberGenerator.GetBytes(32));
        (await agent.SendAsync(agent.NextHeartbeat())).Dispose();
        using var refused = await wrong.SendAsync(wrong.NextHeartbeat());
        var text = await refused.Content.ReadAsStringAsync();
        foreach (var (_, secret) in Host.Secrets)
        {
            var forms = new[] { Convert.ToBase64String(secret), Convert.ToHexString(secret), Convert.ToHexString(secret).ToLowerInvariant() };
            foreach (var form in forms)
            {
                Assert.DoesNotContain(form, text, StringComparison.Ordinal);
                Assert.DoesNotContain(Host.Logs.Lines, l => l.Contains(form, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Metrics_PrintAsPrometheusText()
    {
        var text = new System.Text.StringBuilder();
        Host.Metrics.WritePrometheus(text);
        var printed = text.ToString();
        Assert.Contains("# TYPE haagent_agent_requests_total counter", printed, StringComparison.Ordinal);
        Assert.Contains("haagent_agent_requests_total{outcome=\"message_accepted\"} ", printed, StringComparison.Ordinal);
        Assert.Contains("haagent_agent_orders_total{outcome=\"order_refused_queue_full\"} ", printed, StringComparison.Ordinal);
    }

    private async Task AssertRefusedAsync(TestAgent agent, string path, byte[] frame, HttpStatusCode status, string text)
    {
        var accepted = Host.Sink.Accepted.Count;
        using var response = await agent.PostAsync(path, frame);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(text, (await response.Content.ReadAsStringAsync()).Trim());
        Assert.Equal(accepted, Host.Sink.Accepted.Count);
    }
}
