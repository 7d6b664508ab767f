using HaAgent.Coordinator.Engine;

namespace HaAgent.Coordinator.Tests.Engine;

public sealed class EngineOptionsTests
{
    private readonly EngineOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(_validator.Validate(null, new EngineOptions()).Succeeded);

    [Theory]
    [InlineData("iteration", "Engine:IterationPeriod")]
    [InlineData("core", "Engine:Core:NetworkDeadAfter")]
    [InlineData("read", "Engine:StorageHeartbeat:ReadPeriod")]
    [InlineData("ceph", "Engine:StorageHeartbeat:Ceph:ClientName")]
    [InlineData("slots", "Engine:StorageHeartbeat:Iscsi:Slots")]
    public void Validate_BadSetting_FailsNamingTheKey(string what, string key)
    {
        var options = new EngineOptions();
        switch (what)
        {
            case "iteration":
                options.IterationPeriod = TimeSpan.Zero;
                break;
            case "core":
                options.Core.NetworkDeadAfter = TimeSpan.FromSeconds(1);
                break;
            case "read":
                options.StorageHeartbeat.ReadPeriod = TimeSpan.FromSeconds(10);
                break;
            case "ceph":
                options.StorageHeartbeat.Ceph = new CephHeartbeatOptions { ClientName = "admin", Pool = "hb" };
                break;
            default:
                options.StorageHeartbeat.Iscsi = new IscsiHeartbeatOptions
                {
                    Portal = "127.0.0.1:3260",
                    TargetIqn = "iqn.2026-01.lab:hb",
                    InitiatorIqn = "iqn.2026-01.lab:coordinator",
                    Slots = new Dictionary<string, int>(StringComparer.Ordinal) { ["h1"] = 3, ["h2"] = 3 },
                };
                break;
        }

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }
}
