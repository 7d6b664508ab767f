using System.Net;
using System.Text.Json;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class AuditApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task EveryMutation_WritesOneAuditRecord_WithActorAndBeforeAfter()
    {
        var operatorClient = fixture.Host.Client(ApiHost.OperatorToken);
        var admin = fixture.Host.Client(ApiHost.AdminToken);
        await operatorClient.PostJsonAsync("/v1/hosts", """{"id":"aud-h","cpus":4,"memoryMiB":8}""");
        await admin.PostAsync("/v1/hosts/aud-h/maintenance", null);
        await operatorClient.PostJsonAsync("/v1/vms", """{"id":"aud-vm","cpus":1,"memoryMiB":1}""");
        await operatorClient.PostAsync("/v1/vms/aud-vm/unprotect", null);
        await operatorClient.PostJsonAsync("/v1/rules", """{"name":"aud-r","kind":"affinity","strength":"soft","vmIds":["aud-vm","x"]}""");
        await operatorClient.DeleteAsync("/v1/rules/aud-r");
        // Refused mutations leave no record.
        await operatorClient.PostJsonAsync("/v1/hosts", """{"id":"aud-h","cpus":4,"memoryMiB":8}""");
        await operatorClient.PostJsonAsync("/v1/hosts", """{"id":"aud-bad","cpus":0,"memoryMiB":8}""");

        var records = new List<JsonElement>();
        long after = 0;
        while (true)
        {
            var page = await (await admin.GetAsync($"/v1/audit?after={after}&limit=2")).JsonAsync(HttpStatusCode.OK);
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                Assert.True(item.GetProperty("sequence").GetInt64() > after);
                Assert.True(item.GetProperty("epoch").GetInt64() > 0);
                records.Add(item.GetProperty("record"));
            }
            if (page.GetProperty("next").ValueKind == JsonValueKind.Null)
            {
                break;
            }
            after = page.GetProperty("next").GetInt64();
        }

        Assert.Equal(
            ["host.register", "host.maintenance-on", "vm.create", "vm.unprotect", "rule.create", "rule.delete"],
            records.Select(r => r.GetProperty("action").GetString()));
        var maintenance = records[1];
        Assert.Equal("hosts/aud-h", maintenance.GetProperty("subject").GetString());
        Assert.Equal("root", maintenance.GetProperty("actor").GetString());
        Assert.Equal("admin", maintenance.GetProperty("role").GetString());
        Assert.False(maintenance.GetProperty("before").GetProperty("maintenance").GetBoolean());
        Assert.True(maintenance.GetProperty("after").GetProperty("maintenance").GetBoolean());
        Assert.Equal("ops", records[0].GetProperty("actor").GetString());
        Assert.Equal(JsonValueKind.Null, records[0].GetProperty("before").ValueKind);
        Assert.Equal(JsonValueKind.Null, records[5].GetProperty("after").ValueKind);
    }

    [Fact]
    public async Task Audit_BadPaging_Returns400NamingField()
    {
        var viewer = fixture.Host.Client(ApiHost.ViewerToken);
        await (await viewer.GetAsync("/v1/audit?limit=0")).AssertFieldErrorAsync("limit");
        await (await viewer.GetAsync("/v1/audit?after=-1")).AssertFieldErrorAsync("after");
    }
}
