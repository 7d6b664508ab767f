using System.Buffers;
using System.Text;
using System.Text.Json;
using HaAgent.Coordinator.Api;

namespace HaAgent.Coordinator.Tests.Api;

/// <summary>The listing copies stored JSON token by token: what clients get must equal what the typed path gave.</summary>
public sealed class StoredPageResultTests
{
    [Theory]
    [InlineData("""{"id":"v1","cpus":2,"version":0,"host":null}""", """{"id":"v1","cpus":2,"version":42,"host":null}""")]
    [InlineData("""{"id":"v1","volumes":["ceph:rbd/a","iscsi:t/1"],"nested":{"version":7,"x":[1,{"y":true}]}}""", """{"id":"v1","volumes":["ceph:rbd/a","iscsi:t/1"],"nested":{"version":7,"x":[1,{"y":true}]},"version":42}""")]
    [InlineData("""{"a\u0062c":"q\"uote\\ \u00e9","n":-1.5e3,"f":false,"version":0}""", """{"abc":"q\"uote\\ é","n":-1.5e3,"f":false,"version":42}""")]
    [InlineData(""" { "id" : "spaced" , "version" : 0 } """, """{"id":"spaced","version":42}""")]
    public void WriteWithVersion_CopiesEveryMember_SetsVersion(string stored, string expected)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            StoredPageResult.WriteWithVersion(writer, Encoding.UTF8.GetBytes(stored), 42);
        }
        using var actual = JsonDocument.Parse(buffer.WrittenMemory);
        using var wanted = JsonDocument.Parse(expected);
        Assert.True(JsonElement.DeepEquals(wanted.RootElement, actual.RootElement), Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Single(actual.RootElement.EnumerateObject(), p => p.Name == "version");
    }
}
