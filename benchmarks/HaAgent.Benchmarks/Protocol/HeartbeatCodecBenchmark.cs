using BenchmarkDotNet.Attributes;
using HaAgent.Benchmarks.Core;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;

namespace HaAgent.Benchmarks.Protocol;

/// <summary>
/// One heartbeat through the signed envelope: encode + HMAC on the agent, MAC check + freshness + replay cache +
/// parse + validation on the coordinator. Decoding cycles through a pool of distinct frames (a frame decodes once,
/// then it is a replay); the coordinator codec is renewed when the pool wraps, so the replay cache's growth is part
/// of the measured allocation.
/// </summary>
[MemoryDiagnoser]
public class HeartbeatCodecBenchmark
{
    private const int Pool = 1 << 16;
    private const string Host = "host00042";

    private static readonly byte[] Secret = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    private readonly HeartbeatMessage _heartbeat = new(Host, 3, 1234, new OrderStamp(7, 99));
    private readonly FixedTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private ProtocolCodec _agent = null!;
    private ProtocolCodec _coordinator = null!;
    private byte[][] _frames = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _agent = new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(Host, Secret), _time);
        _frames = new byte[Pool][];
        for (var i = 0; i < Pool; i++)
        {
            _frames[i] = _agent.Encode(_heartbeat with { Sequence = i }, Host);
        }

        _coordinator = NewCoordinator();
    }

    [Benchmark]
    public byte[] EncodeAndSign() => _agent.Encode(_heartbeat, Host);

    [Benchmark]
    public DecodedMessage VerifyAndDecode()
    {
        if (_next == Pool)
        {
            _next = 0;
            _coordinator = NewCoordinator();
        }

        return _coordinator.TryDecode(_frames[_next++], out var decoded, out var error)
            ? decoded
            : throw new InvalidOperationException(error.ToString());
    }

    private ProtocolCodec NewCoordinator() =>
        new(ProtocolDirection.AgentToCoordinator, HostSecrets.Single(Host, Secret), _time,
            new ProtocolCodecOptions { ReplayCacheCapacity = Pool * 2 });
}
