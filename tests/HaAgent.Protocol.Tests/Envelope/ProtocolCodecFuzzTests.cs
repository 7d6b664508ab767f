using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using Xunit.Abstractions;

namespace HaAgent.Protocol.Tests.Envelope;

/// <summary>
/// Random mutations of valid messages (fixed seed, so a failure replays). Bodies are re-signed with the right secret
/// so the mutations reach the JSON parser and the validator, the part an authenticated but buggy or compromised
/// peer can reach.
/// </summary>
public sealed class ProtocolCodecFuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 4000;

    private static readonly byte[] Interesting = "{}[]\":,0-9eE.nulltruefalse\\u0000 \u00ff"u8.ToArray();

    [Fact]
    public void TryDecode_MutatedAuthenticBodies_ReturnTypedErrorsNeverThrow()
    {
        var codecs = new CodecFixture();
        var random = new Random(20261125);
        string[] names = [.. Samples.AgentMessageNames, .. Samples.CoordinatorMessageNames];
        var refusedByKind = new Dictionary<DecodeErrorKind, int>();
        var accepted = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var message = Samples.ByName(names[random.Next(names.Length)]);
            var frame = codecs.Encode(message);
            var bodyStart = 8 + frame[7] + 8 + 16 + 4;
            var body = Mutate(frame.AsSpan(bodyStart, frame.Length - bodyStart - 32).ToArray(), random);
            var mutated = ProtocolCodecTests.Reframe(frame, body, Samples.Secret);

            var ok = codecs.ReceiverOf(message).TryDecode(mutated, out var decoded, out var error);

            if (ok)
            {
                accepted++;
                Assert.NotNull(decoded);
            }
            else
            {
                Assert.True(Enum.IsDefined(error.Kind), $"iteration {i}: undefined kind");
                Assert.NotEqual(DecodeErrorKind.Replayed, error.Kind);
                refusedByKind[error.Kind] = refusedByKind.GetValueOrDefault(error.Kind) + 1;
            }
        }

        output.WriteLine($"accepted {accepted}; refused {string.Join(", ", refusedByKind.OrderBy(k => k.Key))}");
        Assert.True(refusedByKind.GetValueOrDefault(DecodeErrorKind.Malformed) > Iterations / 4, string.Join(", ", refusedByKind));
    }

    [Fact]
    public void TryDecode_MutatedRawFrames_ReturnTypedErrorsNeverThrow()
    {
        var codecs = new CodecFixture();
        var random = new Random(7);
        string[] names = [.. Samples.AgentMessageNames, .. Samples.CoordinatorMessageNames];

        for (var i = 0; i < Iterations; i++)
        {
            var message = Samples.ByName(names[random.Next(names.Length)]);
            var original = codecs.Encode(message);
            var frame = Mutate(original, random);
            if (frame.AsSpan().SequenceEqual(original))
            {
                continue;
            }

            Assert.False(codecs.ReceiverOf(message).TryDecode(frame, out _, out var error), $"iteration {i}: a mutated unsigned frame was accepted");
            Assert.True(Enum.IsDefined(error.Kind));
        }
    }

    private static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        var edits = 1 + random.Next(4);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    var length = Math.Min(bytes.Count - at, 1 + random.Next(16));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
            }
        }

        return [.. bytes];
    }
}
