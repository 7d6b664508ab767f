using System.Net;
using System.Security.Cryptography;
using System.Text;
using HaAgent.Coordinator.Store;
using Microsoft.Extensions.DependencyInjection;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class VmDefinitionApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private const string Uuid = "4dea22b3-1d52-d8f3-2516-782e98ab3fa0";
    private readonly HttpClient _operator = fixture.Host.Client(ApiHost.OperatorToken);

    private static string Domain(string name, string uuid = Uuid, string extra = "") =>
        $"""<domain type='kvm'><name>{name}</name><uuid>{uuid}</uuid><memory unit='KiB'>1048576</memory><vcpu>1</vcpu>{extra}<os><type arch='x86_64'>hvm</type></os></domain>""";

    private static ByteArrayContent Xml(string text, string contentType = "application/xml") => Xml(Encoding.UTF8.GetBytes(text), contentType);

    private static ByteArrayContent Xml(byte[] bytes, string contentType = "application/xml")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    /// <summary>Theory rows share one VM: created by the first, already there (409) for the rest.</summary>
    private async Task CreateVmAsync(string id)
    {
        var response = await _operator.PostJsonAsync("/v1/vms", $$"""{"id":"{{id}}","cpus":1,"memoryMiB":1024}""");
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"creating {id}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task Put_ValidXml_StoredRawAtVmdefs_GetReturnsIt_AuditHasHashNotXml()
    {
        await CreateVmAsync("def-v1");
        var xml = Domain("def-v1", extra: "<graphics type='vnc' passwd='vnc-secret-p4ss'/>");
        var created = await (await _operator.PutAsync("/v1/vms/def-v1/definition", Xml(xml))).JsonAsync(HttpStatusCode.Created);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(xml)));
        Assert.Equal(sha, created.GetProperty("sha256").GetString());
        Assert.Equal(Uuid, created.GetProperty("uuid").GetString());
        var version = created.GetProperty("version").GetInt64();

        // Stored raw (the engine reads exactly these bytes for StartVmOrder).
        var stored = await fixture.Host.Services.GetRequiredService<ICoordinatorStore>().GetAsync("vmdefs/def-v1", CancellationToken.None);
        Assert.Equal(xml, Encoding.UTF8.GetString(stored!.Value.Span));

        var got = await fixture.Host.Client(ApiHost.ViewerToken).GetAsync("/v1/vms/def-v1/definition");
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal("application/xml", got.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"{version}\"", got.Headers.ETag?.Tag);
        Assert.Equal(xml, await got.Content.ReadAsStringAsync());

        // Replace with If-Match: 200, new version.
        var replaced = new HttpRequestMessage(HttpMethod.Put, "/v1/vms/def-v1/definition") { Content = Xml(Domain("def-v1"), "text/xml; charset=utf-8") };
        replaced.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        var second = await (await _operator.SendAsync(replaced)).JsonAsync(HttpStatusCode.OK);
        Assert.True(second.GetProperty("version").GetInt64() > version);

        var audit = await (await _operator.GetAsync("/v1/audit?kind=vm.definition&vm=def-v1")).JsonAsync(HttpStatusCode.OK);
        var records = audit.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("record")).ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal("vmdefs/def-v1", records[0].GetProperty("subject").GetString());
        Assert.Equal(sha, records[0].GetProperty("after").GetProperty("sha256").GetString());
        Assert.Equal(sha, records[1].GetProperty("before").GetProperty("sha256").GetString());
        var auditText = audit.ToString();
        Assert.DoesNotContain("vnc-secret-p4ss", auditText, StringComparison.Ordinal);
        Assert.DoesNotContain("<domain", auditText, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadDefinitions => new()
    {
        { "this is not xml", "body" },
        { "<domain><name>def-bad</name><uuid>" + Uuid + "</uuid>", "body" },
        // Entity expansion ("billion laughs") needs a DTD: refused before anything expands.
        { """<?xml version="1.0"?><!DOCTYPE domain [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><domain><name>def-bad</name><uuid>""" + Uuid + "</uuid><description>&b;</description></domain>", "body" },
        // External entity: would read a local file if resolved.
        { """<?xml version="1.0"?><!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/passwd">]><domain><name>def-bad</name><uuid>""" + Uuid + "</uuid><description>&x;</description></domain>", "body" },
        { "<domain><name>def-bad</name><uuid>" + Uuid + "</uuid><description>&undefined;</description></domain>", "body" },
        { "<vm><name>def-bad</name><uuid>" + Uuid + "</uuid></vm>", "body" },
        { "<domain><name>someone-else</name><uuid>" + Uuid + "</uuid></domain>", "name" },
        { "<domain><uuid>" + Uuid + "</uuid></domain>", "name" },
        { "<domain><name>def-bad</name><name>def-bad</name><uuid>" + Uuid + "</uuid></domain>", "name" },
        { "<domain><name>def-bad</name></domain>", "uuid" },
        { "<domain><name>def-bad</name><uuid>not-a-uuid</uuid></domain>", "uuid" },
    };

    [Theory]
    [MemberData(nameof(BadDefinitions))]
    public async Task Put_BadXml_Returns400NamingField_StoresNothing(string xml, string field)
    {
        await CreateVmAsync("def-bad");
        await (await _operator.PutAsync("/v1/vms/def-bad/definition", Xml(xml))).AssertFieldErrorAsync(field);
        await (await _operator.GetAsync("/v1/vms/def-bad/definition")).JsonAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Put_NotUtf8_Returns400()
    {
        await CreateVmAsync("def-latin");
        var bytes = Encoding.Latin1.GetBytes("<domain><name>def-latin</name><uuid>" + Uuid + "</uuid><description>\u00e9t\u00e9</description></domain>");
        await (await _operator.PutAsync("/v1/vms/def-latin/definition", Xml(bytes))).AssertFieldErrorAsync("body");
    }

    [Fact]
    public async Task Put_TooLarge413_WrongType415_Empty400_UpTo256KiBAccepted()
    {
        await CreateVmAsync("def-size");
        var padding = new string('x', 256 * 1024);
        var tooLarge = Domain("def-size", extra: $"<description>{padding}</description>");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await _operator.PutAsync("/v1/vms/def-size/definition", Xml(tooLarge))).StatusCode);

        // Larger than the 64 KiB JSON limit but within 256 KiB: accepted.
        var big = Domain("def-size", extra: $"<description>{new string('y', 200 * 1024)}</description>");
        await (await _operator.PutAsync("/v1/vms/def-size/definition", Xml(big))).JsonAsync(HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await _operator.PutAsync("/v1/vms/def-size/definition", Xml(Domain("def-size"), "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await _operator.PutAsync("/v1/vms/def-size/definition", Xml(Domain("def-size"), "text/plain"))).StatusCode);
        await (await _operator.PutAsync("/v1/vms/def-size/definition", Xml(""))).AssertFieldErrorAsync("body");
        var stored = await (await _operator.GetAsync("/v1/vms/def-size/definition")).Content.ReadAsStringAsync();
        Assert.Equal(big, stored);
    }

    [Fact]
    public async Task Definition_UnknownVm404_BadId400_StaleIfMatch409_Roles()
    {
        await (await _operator.PutAsync("/v1/vms/def-nobody/definition", Xml(Domain("def-nobody")))).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.GetAsync("/v1/vms/def-nobody/definition")).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.PutAsync("/v1/vms/bad%20id/definition", Xml(Domain("bad id")))).AssertFieldErrorAsync("id");
        await (await _operator.GetAsync("/v1/vms/bad%20id/definition")).AssertFieldErrorAsync("id");

        await CreateVmAsync("def-cas");
        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/vms/def-cas/definition") { Content = Xml(Domain("def-cas")) };
        request.Headers.TryAddWithoutValidation("If-Match", "\"12345678\"");
        await (await _operator.SendAsync(request)).JsonAsync(HttpStatusCode.Conflict);
        await (await _operator.GetAsync("/v1/vms/def-cas/definition")).JsonAsync(HttpStatusCode.NotFound);

        var viewer = fixture.Host.Client(ApiHost.ViewerToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsync("/v1/vms/def-cas/definition", Xml(Domain("def-cas")))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Host.Client(null).GetAsync("/v1/vms/def-cas/definition")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Host.Client(null).PutAsync("/v1/vms/def-cas/definition", Xml(Domain("def-cas")))).StatusCode);
    }
}
