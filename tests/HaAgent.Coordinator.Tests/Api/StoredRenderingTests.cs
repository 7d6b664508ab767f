using System.Buffers;
using System.Text;
using System.Text.Json;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Tests.Api;

/// <summary>The memoised rendering of cached documents answers byte for byte what the token copy answers.</summary>
public sealed class StoredRenderingTests
{
    [Theory]
    [InlineData("""{"id":"v1","cpus":2,"version":0}""")]
    [InlineData("""{"id":"v1","nested":{"version":5},"list":[1,{"a":"\u00e9\"x"}]}""")]
    [InlineData("""{"version":3,"id":"v\"q"}""")]
    [InlineData("""{}""")]
    public void Cached_RendersLikeTheTokenCopy_AndKeepsTheBytes(string json)
    {
        var document = new StoredDocument("vms/v1", Encoding.UTF8.GetBytes(json), 42) { Cached = true };
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            StoredPageResult.WriteWithVersion(writer, document.Value.Span, document.Version);
        }

        var rendered = StoredRendering.Cached(document);

        Assert.Equal(Encoding.UTF8.GetString(buffer.WrittenSpan), Encoding.UTF8.GetString(rendered!));
        Assert.Equal(42, JsonDocument.Parse(rendered!).RootElement.GetProperty("version").GetInt64());
        Assert.Same(rendered, StoredRendering.Cached(document));
    }

    [Fact]
    public void Uncached_IsNotRendered_AndEqualityIgnoresTheMemo()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"id":"v1"}""");
        var plain = new StoredDocument("vms/v1", bytes, 7);
        var cached = new StoredDocument("vms/v1", bytes, 7) { Cached = true };
        StoredRendering.Cached(cached);

        Assert.Null(StoredRendering.Cached(plain));
        Assert.Null(plain.Rendered);
        Assert.Equal(plain, cached);
        Assert.Equal(plain.GetHashCode(), cached.GetHashCode());
    }
}
