using System.Net;
using System.Net.Http.Headers;
using HaAgent.Coordinator.Agents;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Tests.Agents;

/// <summary>The agent's side of the transport with the real codec: signs messages, posts them, checks the answers' MAC.</summary>
internal sealed class TestAgent : IDisposable
{
    private readonly HttpClient _client;
    private readonly ProtocolCodec _codec;
    private long _sequence;

    public TestAgent(AgentHost host, string hostId, byte[] secret)
    {
        HostId = hostId;
        Secret = secret;
        _client = host.NewClient();
        _client.Timeout = TimeSpan.FromSeconds(30);
        _codec = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(hostId, secret), TimeProvider.System);
    }

    public string HostId { get; }

    public byte[] Secret { get; }

    public HttpClient Client => _client;

    public HeartbeatMessage NextHeartbeat() => new(HostId, 1, Interlocked.Increment(ref _sequence), new OrderStamp(0, 0));

    public byte[] Frame(AgentMessage message) => _codec.Encode(message, HostId);

    public byte[] Poll(OrderStamp received) => Frame(new OrderPollMessage(HostId, 1, received));

    public Task<HttpResponseMessage> PostAsync(string path, byte[] body, string? contentType = AgentEndpoint.FrameContentType, CancellationToken cancellationToken = default)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        return _client.PostAsync(path, content, cancellationToken);
    }

    public Task<HttpResponseMessage> SendAsync(AgentMessage message) => PostAsync(AgentEndpoint.MessagesPath, Frame(message));

    public Task<HttpResponseMessage> PollAsync(OrderStamp received, CancellationToken cancellationToken = default) =>
        PostAsync(AgentEndpoint.OrdersPath, Poll(received), cancellationToken: cancellationToken);

    /// <summary>The coordinator-to-agent message of a 200 answer, after checking its MAC with this host's secret.</summary>
    public async Task<ProtocolMessage> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AgentEndpoint.FrameContentType, response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(_codec.TryDecode(body, out var decoded, out var error), error.ToString());
        Assert.Equal(HostId, decoded.HostId);
        return decoded.Message;
    }

    public async Task<AgentOrder> ReadOrderAsync(HttpResponseMessage response) => Assert.IsAssignableFrom<AgentOrder>(await ReadAsync(response));

    public void Dispose() => _client.Dispose();
}
