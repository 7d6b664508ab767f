using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using HaAgent.Coordinator.Store;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HaAgent.Coordinator.Tests.Api;

/// <summary>
/// 10 000 malformed requests with a fixed seed against a populated coordinator: none may get a 5xx, and none may change
/// anything (every document with its version, and the audit log length, are the same afterwards). Most requests come
/// with no, an unknown or a viewer token (anything goes: methods, routes, bodies, headers); the rest carry an operator
/// token but always something invalid (body or id), so a change of state would be a validation hole.
/// </summary>
public sealed class ApiFuzzTests(ApiFixture fixture, ITestOutputHelper output) : IClassFixture<ApiFixture>
{
    private const int Seed = 20261125;
    private const int Requests = 10_000;

    private static readonly string[] KnownIds = ["fz-h1", "fz-h2", "fz-vm1", "fz-vm2", "fz-rule"];
    // Weighted towards the methods the routes serve, so most requests get past routing to auth and validation.
    private static readonly string[] Methods = ["GET", "GET", "GET", "POST", "POST", "POST", "PUT", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FROB"];
    private static readonly string[] RouteTemplates =
    [
        "/v1/hosts", "/v1/hosts/{id}", "/v1/hosts/{id}/maintenance", "/v1/vms", "/v1/vms/{id}", "/v1/vms/{id}/protect",
        "/v1/vms/{id}/unprotect", "/v1/rules", "/v1/rules/{id}", "/v1/audit", "/v1/whatif", "/metrics", "/readyz",
        "/healthz", "/openapi/v1.json", "/v1", "/v2/hosts", "/v1/hosts/{id}/{id}",
        "/v1/hosts/{id}/drain", "/v1/vms/{id}/priority", "/v1/vms/{id}/group", "/v1/vms/{id}/definition", "/v1/groups",
        "/v1/groups/{id}", "/v1/fences",
    ];

    /// <summary>Most requests use a method the route serves, so they reach authorization and validation instead of 405.</summary>
    private static readonly Dictionary<string, string[]> ServedMethods = new(StringComparer.Ordinal)
    {
        ["/v1/hosts"] = ["GET", "POST"],
        ["/v1/hosts/{id}"] = ["GET", "PUT", "DELETE"],
        ["/v1/hosts/{id}/maintenance"] = ["POST", "DELETE"],
        ["/v1/vms"] = ["GET", "POST"],
        ["/v1/vms/{id}"] = ["GET", "PUT"],
        ["/v1/vms/{id}/protect"] = ["POST"],
        ["/v1/vms/{id}/unprotect"] = ["POST"],
        ["/v1/rules"] = ["GET", "POST"],
        ["/v1/rules/{id}"] = ["GET", "PUT", "DELETE"],
        ["/v1/whatif"] = ["POST"],
        ["/v1/hosts/{id}/drain"] = ["POST", "DELETE"],
        ["/v1/vms/{id}/priority"] = ["PUT"],
        ["/v1/vms/{id}/group"] = ["PUT", "DELETE"],
        ["/v1/vms/{id}/definition"] = ["GET", "PUT"],
        ["/v1/groups/{id}"] = ["GET"],
    };

    private const string ValidDefinition =
        "<domain type='kvm'><name>fz-vm1</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid><memory unit='KiB'>524288</memory></domain>";

    private static readonly string[] ValidBodies =
    [
        """{"id":"fz-new","cpus":4,"memoryMiB":4096,"rack":"r1","power":"p1","zone":"z1"}""",
        """{"id":"fz-newvm","cpus":2,"memoryMiB":2048,"volumes":["ceph:rbd/x","iscsi:iqn.t:x/1"],"priority":5,"group":"g","protected":true,"host":"fz-h1"}""",
        """{"name":"fz-newrule","kind":"anti-affinity","strength":"hard","vmIds":["fz-vm1","fz-vm2"],"level":"rack"}""",
        """{"name":"fz-pin","kind":"host-pinning","strength":"soft","vmIds":["fz-vm1"],"hostIds":["fz-h1"]}""",
        """{"level":"rack","label":"r1"}""",
        """{"hosts":["fz-h1"]}""",
        """{"priority":5}""",
        """{"group":"fz-g"}""",
        ValidDefinition,
    ];

    // No raw %00 in paths: Kestrel refuses such a request line itself (400), and TestServer's client cannot even build it.
    private static readonly string[] BadIds =
    [
        "a/b", "a%2Fb", "%2e%2e", "..%2F..%2Fetc", "%FF%FE", "h%20x", "-lead", ".hidden", "x y", "\u00e9t\u00e9",
        "\ud83d\udca5", "a\\b", "<script>", "a?b=c", "'or'1'='1", "h#1", "\u202Eevil",
    ];

    [Fact]
    public async Task TenThousandMalformedRequests_NoServerError_NoStateChange()
    {
        var host = fixture.Host;
        var ops = host.Client(ApiHost.OperatorToken);
        foreach (var body in new[]
        {
            """{"id":"fz-h1","cpus":8,"memoryMiB":8192,"rack":"r1"}""",
            """{"id":"fz-h2","cpus":8,"memoryMiB":8192,"rack":"r2"}""",
        })
        {
            await (await ops.PostJsonAsync("/v1/hosts", body)).JsonAsync(HttpStatusCode.Created);
        }
        await (await ops.PostJsonAsync("/v1/vms", """{"id":"fz-vm1","cpus":1,"memoryMiB":512,"volumes":["ceph:rbd/a"],"host":"fz-h1"}""")).JsonAsync(HttpStatusCode.Created);
        await (await ops.PostJsonAsync("/v1/vms", """{"id":"fz-vm2","cpus":1,"memoryMiB":512,"volumes":["ceph:rbd/b"],"host":"fz-h2"}""")).JsonAsync(HttpStatusCode.Created);
        await (await ops.PostJsonAsync("/v1/rules", """{"name":"fz-rule","kind":"affinity","strength":"soft","vmIds":["fz-vm1","fz-vm2"]}""")).JsonAsync(HttpStatusCode.Created);
        using (var definition = new StringContent(ValidDefinition, Encoding.UTF8, "application/xml"))
        {
            await (await ops.PutAsync("/v1/vms/fz-vm1/definition", definition)).JsonAsync(HttpStatusCode.Created);
        }
        await (await ops.PutJsonAsync("/v1/vms/fz-vm2/group", """{"group":"fz-g"}""")).JsonAsync(HttpStatusCode.OK);

        var store = host.Services.GetRequiredService<ICoordinatorStore>();
        var before = await SnapshotAsync(store);

        var random = new Random(Seed);
        var clients = new Dictionary<string, HttpClient>(StringComparer.Ordinal)
        {
            ["none"] = host.Client(null),
            ["viewer"] = host.Client(ApiHost.ViewerToken),
            ["unknown"] = host.Client("fuzz-unknown-token-0000000000"),
            ["operator"] = ops,
        };
        var statuses = new SortedDictionary<int, int>();
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
        {
            var operatorRequest = random.NextDouble() < 0.35;
            using var request = operatorRequest ? OperatorRequest(random) : AnyRequest(random);
            var client = operatorRequest ? ops : clients[Pick(random, ["none", "viewer", "unknown", "viewer"])];
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request);
            }
            catch (HttpRequestException e)
            {
                throw new InvalidOperationException($"request {i} ({request.Method} {request.RequestUri}) failed in transport", e);
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status >= 500)
                {
                    var body = await response.Content.ReadAsStringAsync();
                    var sent = request.Content is null ? "" : await request.Content.ReadAsStringAsync();
                    Assert.Fail($"request {i}: {request.Method} {request.RequestUri} (operator: {operatorRequest}) body {Shorten(sent)} got {status}: {body}");
                }
                if (operatorRequest && status is >= 200 and < 300 && request.Method != HttpMethod.Get && !request.RequestUri!.ToString().Contains("whatif", StringComparison.Ordinal))
                {
                    var sent = request.Content is null ? "" : await request.Content.ReadAsStringAsync();
                    Assert.Fail($"request {i}: malformed operator request was accepted: {request.Method} {request.RequestUri} {Shorten(sent)} → {status}");
                }
            }
        }
        stopwatch.Stop();

        var after = await SnapshotAsync(store);
        Assert.Equal(before.Documents, after.Documents);
        Assert.Equal(before.AuditCount, after.AuditCount);
        output.WriteLine($"{Requests} requests in {stopwatch.Elapsed.TotalSeconds:F1} s; statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(statuses.Count > 6, "the fuzzer should reach many different answers");
    }

    private static async Task<(List<string> Documents, long AuditCount)> SnapshotAsync(ICoordinatorStore store)
    {
        var documents = new List<string>();
        string? after = null;
        do
        {
            var page = await store.ListAsync("", after, StoreLimits.MaxPageSize, CancellationToken.None);
            documents.AddRange(page.Documents.Select(d => $"{d.Key}@{d.Version}={Convert.ToBase64String(d.Value.Span)}"));
            after = page.NextStartAfter;
        }
        while (after is not null);
        long count = 0;
        while (true)
        {
            var page = await store.ReadAuditAsync(count, StoreLimits.MaxPageSize, CancellationToken.None);
            count += page.Entries.Count;
            if (!page.HasMore)
            {
                break;
            }
        }
        return (documents, count);
    }

    /// <summary>Anything: any method on any route, any body, any headers (sent without an operator token).</summary>
    private static HttpRequestMessage AnyRequest(Random random)
    {
        var id = random.Next(3) == 0 ? Pick(random, KnownIds) : BadId(random);
        var template = Pick(random, RouteTemplates);
        var path = template.Replace("{id}", id, StringComparison.Ordinal) + RandomQuery(random);
        var method = random.Next(10) < 6 && ServedMethods.TryGetValue(template, out var served) ? Pick(random, served) : Pick(random, Methods);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (random.Next(3) != 0 && request.Method != HttpMethod.Head && request.Method != HttpMethod.Trace)
        {
            var text = random.Next(3) == 0 ? Pick(random, ValidBodies) : MalformedBody(random);
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
            SetContentType(request, random);
        }
        AddJunkHeaders(request, random);
        return request;
    }

    /// <summary>An operator request that must be refused: a body route with a malformed body, or an id route with a bad id.</summary>
    private static HttpRequestMessage OperatorRequest(Random random)
    {
        HttpRequestMessage request;
        if (random.Next(4) == 0)
        {
            var path = Pick(random,
                [
                    "/v1/hosts/{id}/maintenance", "/v1/vms/{id}/protect", "/v1/vms/{id}/unprotect", "/v1/rules/{id}", "/v1/hosts/{id}", "/v1/vms/{id}",
                    "/v1/hosts/{id}/drain", "/v1/vms/{id}/priority", "/v1/vms/{id}/group", "/v1/vms/{id}/definition",
                ])
                .Replace("{id}", BadId(random), StringComparison.Ordinal);
            request = new HttpRequestMessage(new HttpMethod(Pick(random, ["POST", "PUT", "DELETE", "PATCH"])), path);
            if (random.Next(2) == 0)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Pick(random, ValidBodies)));
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            }
        }
        else if (random.Next(4) == 0)
        {
            // The small sub-resource bodies and the XML definition: each from a list of always-invalid variants.
            var (path, body, contentType) = random.Next(3) switch
            {
                0 => ("/v1/vms/fz-vm1/priority", Pick(random, BadPriorityBodies), "application/json"),
                1 => ("/v1/vms/fz-vm1/group", Pick(random, BadGroupBodies), "application/json"),
                _ => ("/v1/vms/fz-vm1/definition", BreakDefinition(random), "application/xml"),
            };
            request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
            if (random.Next(6) == 0)
            {
                SetContentType(request, random);
            }
            else
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }
        else
        {
            var (method, path, valid) = Pick(random,
            [
                ("POST", "/v1/hosts", ValidBodies[0]),
                ("PUT", "/v1/hosts/fz-h1", ValidBodies[0].Replace("\"fz-new\"", "\"fz-h1\"", StringComparison.Ordinal)),
                ("POST", "/v1/vms", ValidBodies[1]),
                ("PUT", "/v1/vms/fz-vm1", ValidBodies[1].Replace("\"fz-newvm\"", "\"fz-vm1\"", StringComparison.Ordinal)),
                ("POST", "/v1/rules", ValidBodies[2]),
                ("PUT", "/v1/rules/fz-rule", ValidBodies[3].Replace("\"fz-pin\"", "\"fz-rule\"", StringComparison.Ordinal)),
            ]);
            request = new HttpRequestMessage(new HttpMethod(method), path)
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Break(valid, random))),
            };
            SetContentType(request, random, mostlyJson: true);
        }
        if (random.Next(5) == 0)
        {
            request.Headers.TryAddWithoutValidation("If-Match", Pick(random, ["\"1\"", "999999", "*", "W/\"3\"", "-4", "abc", "\"\""]));
        }
        return request;
    }

    private static readonly byte[][] BadPriorityBodies = [.. new[]
    {
        """{"priority":1000001}""", """{"priority":-1000001}""", """{"priority":"5"}""", """{"priority":5.5}""", "{}", """{"priority":null}""",
        """{"priority":5,"x":1}""", """{"Priority":5}""", """{"priority":5,"priority":6}""", "[5]", """{"priority":""", """{"priority":1e400}""",
        """{"priority":99999999999}""", "null", "",
    }.Select(Encoding.UTF8.GetBytes)];

    private static readonly byte[][] BadGroupBodies = [.. new[]
    {
        """{"group":"a b"}""", """{"group":null}""", "{}", """{"group":5}""", """{"group":"-x"}""", "{\"group\":\"" + new string('g', 65) + "\"}",
        """{"Group":"g"}""", """{"group":"g","group":"h"}""", """{"group":"g","priority":1}""", """{"group":"a/b"}""", """{"group":"\u00e9"}""",
        """{"group":["g"]}""", """{"group":""", "",
    }.Select(Encoding.UTF8.GetBytes)];

    /// <summary>A definition that must be refused: malformed, DTD/entities, wrong name or UUID, not UTF-8, too large.</summary>
    private static byte[] BreakDefinition(Random random)
    {
        var text = random.Next(11) switch
        {
            0 => ValidDefinition[..random.Next(ValidDefinition.Length - 1)],
            1 => "<!DOCTYPE domain [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>" + ValidDefinition.Replace("</domain>", "<description>&b;</description></domain>", StringComparison.Ordinal),
            2 => "<!DOCTYPE domain [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>" + ValidDefinition.Replace("</domain>", "<description>&x;</description></domain>", StringComparison.Ordinal),
            3 => ValidDefinition.Replace(">fz-vm1<", ">" + Pick(random, ["fz-vm2", "FZ-VM1", "", "fz-vm1 x"]) + "<", StringComparison.Ordinal),
            4 => ValidDefinition.Replace("4dea22b3-1d52-d8f3-2516-782e98ab3fa0", Pick(random, ["", "nope", "4dea22b3"]), StringComparison.Ordinal),
            5 => ValidDefinition.Replace("domain", Pick(random, ["dom", "Domain", "x:domain"]), StringComparison.Ordinal),
            6 => ValidDefinition.Replace("</domain>", "<description>" + new string('p', 256 * 1024) + "</description></domain>", StringComparison.Ordinal),
            7 => ValidDefinition.Replace("</domain>", "<name>fz-vm1</name></domain>", StringComparison.Ordinal),
            8 => ValidDefinition.Replace("</domain>", "<description>&undefined;</description></domain>", StringComparison.Ordinal),
            9 => "",
            _ => MalformedBody(random),
        };
        var bytes = Encoding.UTF8.GetBytes(text);
        return random.Next(10) == 0 && bytes.Length > 40 ? [.. bytes[..40], 0xC3, 0x28, .. bytes[40..]] : bytes;
    }

    /// <summary>Makes a valid body invalid, always: the result must be refused however the server reads it.</summary>
    private static string Break(string valid, Random random)
    {
        switch (random.Next(9))
        {
            case 0:
                return valid[..random.Next(valid.Length - 1)];
            case 1:
                return ReplaceFirstNumber(valid, Pick(random, ["\"4\"", "[]", "{}", "true", "4.5", "1e400", "99999999999999999999", "-0.0001"]));
            case 2:
                return ReplaceFirstNumber(valid, Pick(random, ["-1", "0", "-2147483648", "-9223372036854775808"]));
            case 3:
                return valid.Replace("\"fz-", "\"" + BadIdInJson(random), StringComparison.Ordinal);
            case 4:
                return valid.Insert(1, $"\"{Pick(random, ["memoryMb", "CPUS", "x", "__proto__", "\u00fcber"])}\":1,");
            case 5:
                return valid.Insert(1, "\"pad\":\"" + new string('x', 64 * 1024 + random.Next(1024)) + "\",");
            case 6:
                return Pick(random, ["null", "[]", "\"string\"", "42", "{}", "{\"id\":null}", "true", "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":{\"o\":{\"p\":{\"q\":1}}}}}}}}}}}}}}}}}"]);
            case 7:
                return MalformedBody(random);
            default:
                // Wrong type for a string member: strict number handling refuses numbers where strings belong.
                return valid.Replace("\"r1\"", "17", StringComparison.Ordinal).Replace("\"rbd/x\"", "[1]", StringComparison.Ordinal)
                    .Replace("\"hard\"", "1", StringComparison.Ordinal).Replace("\"soft\"", "{}", StringComparison.Ordinal)
                    .Replace("\"fz-", "\"bad id ", StringComparison.Ordinal);
        }
    }

    private static string ReplaceFirstNumber(string json, string replacement)
    {
        var start = -1;
        for (var i = 0; i < json.Length; i++)
        {
            if (char.IsAsciiDigit(json[i]) && json[i - 1] == ':')
            {
                start = i;
                break;
            }
        }
        if (start < 0)
        {
            return "{" + json;
        }
        var end = start;
        while (end < json.Length && char.IsAsciiDigit(json[end]))
        {
            end++;
        }
        return json[..start] + replacement + json[end..];
    }

    private static string MalformedBody(Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                var bytes = new byte[random.Next(1, 200)];
                random.NextBytes(bytes);
                return Encoding.Latin1.GetString(bytes);
            case 1:
                return "{\"id\":\"" + new string('\u00e9', random.Next(1, 100)) + "\u0000\ud800\"}";
            case 2:
                return new string('[', random.Next(1, 5000));
            case 3:
                return "{\"cpus\":" + new string('9', random.Next(20, 400)) + "}";
            case 4:
                return "{" + string.Join(",", Enumerable.Range(0, random.Next(1, 50)).Select(i => $"\"k{i}\":{i}")) + "}";
            default:
                return "{\"id\":\"x\",\"cpus\":1,\"memoryMiB\":1,,}";
        }
    }

    private static string BadId(Random random) => random.Next(4) switch
    {
        0 => new string('a', random.Next(65, 3000)),
        1 => Uri.EscapeDataString(Pick(random, BadIds)),
        _ => Pick(random, BadIds),
    };

    private static string BadIdInJson(Random random) => Pick(random, ["a/b-", "x y-", "\\u00e9-", "%2F-", "..-", "-"]);

    private static string RandomQuery(Random random) => random.Next(4) switch
    {
        0 => "",
        1 => "?limit=" + Pick(random, ["0", "-1", "1001", "abc", "1e3", "99999999999", "5", "%00", "1&limit=2"]),
        2 => "?after=" + Pick(random, ["fz-h1", "a/b", "%2F", "", "-1", "99999999999999999999", new string('z', 300)]),
        _ => "?" + Uri.EscapeDataString(Pick(random, BadIds)) + "=" + Uri.EscapeDataString(Pick(random, BadIds)),
    };

    private static void SetContentType(HttpRequestMessage request, Random random, bool mostlyJson = false)
    {
        var type = mostlyJson && random.Next(4) != 0
            ? Pick(random, ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"])
            : Pick(random, ["application/json", "text/plain", "application/xml", "application/json; charset=utf-16", "multipart/form-data; boundary=x", "garbage", ";;;", "application/x-www-form-urlencoded"]);
        if (random.Next(10) != 0)
        {
            request.Content!.Headers.TryAddWithoutValidation("Content-Type", type);
        }
    }

    private static void AddJunkHeaders(HttpRequestMessage request, Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                request.Headers.TryAddWithoutValidation("If-Match", Pick(random, ["\"1\"", "*", "abc", "\"-1\"", "1, 2", new string('9', 50)]));
                break;
            case 1:
                request.Headers.TryAddWithoutValidation("Authorization", Pick(random, ["Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "bearer " + new string('x', 5000), "Bearer a b c", "Token abc"]));
                break;
            case 2:
                request.Headers.TryAddWithoutValidation("Accept", Pick(random, ["application/xml", "*/*", "text/html;q=0.1", "garbage"]));
                break;
            default:
                break;
        }
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
