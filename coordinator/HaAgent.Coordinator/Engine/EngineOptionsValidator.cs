using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Engine;

/// <summary>Stops the process at start with a message naming the first bad <c>Engine:*</c> key.</summary>
internal sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.IterationPeriod <= TimeSpan.Zero || options.IterationPeriod > TimeSpan.FromSeconds(5))
        {
            failures.Add("Engine:IterationPeriod must be more than 0 and at most 00:00:05");
        }
        if (options.ChangePollPeriod <= TimeSpan.Zero)
        {
            failures.Add("Engine:ChangePollPeriod must be positive");
        }
        try
        {
            options.Core.Validate();
        }
        catch (ArgumentException e)
        {
            failures.Add($"Engine:Core:{e.ParamName}: {e.Message}");
        }
        var heartbeat = options.StorageHeartbeat;
        if (heartbeat.ReadPeriod <= TimeSpan.Zero || heartbeat.ReadPeriod >= options.Core.StorageStallAfter)
        {
            failures.Add("Engine:StorageHeartbeat:ReadPeriod must be positive and shorter than Engine:Core:StorageStallAfter");
        }
        if (heartbeat.Parallelism is < 1 or > 256)
        {
            failures.Add("Engine:StorageHeartbeat:Parallelism must be 1..256");
        }
        if (heartbeat.Ceph is { } ceph)
        {
            Require(failures, ceph.ClientName.StartsWith("client.", StringComparison.Ordinal) && ceph.ClientName.Length > 7, "Engine:StorageHeartbeat:Ceph:ClientName", "must be client.NAME");
            Require(failures, ceph.Pool.Length > 0, "Engine:StorageHeartbeat:Ceph:Pool", "is required");
            Require(failures, ceph.ConfigFile.Length > 0, "Engine:StorageHeartbeat:Ceph:ConfigFile", "is required");
            Require(failures, ceph.OperationTimeout >= TimeSpan.FromSeconds(1), "Engine:StorageHeartbeat:Ceph:OperationTimeout", "must be at least 1 s");
        }
        if (heartbeat.Iscsi is { } iscsi)
        {
            Require(failures, iscsi.Portal.Length > 0, "Engine:StorageHeartbeat:Iscsi:Portal", "is required");
            Require(failures, iscsi.TargetIqn.Length > 0, "Engine:StorageHeartbeat:Iscsi:TargetIqn", "is required");
            Require(failures, iscsi.InitiatorIqn.Length > 0, "Engine:StorageHeartbeat:Iscsi:InitiatorIqn", "is required");
            Require(failures, iscsi.Lun is >= 0 and <= 16383, "Engine:StorageHeartbeat:Iscsi:Lun", "must be 0..16383");
            Require(failures, iscsi.CommandTimeout >= TimeSpan.FromSeconds(1), "Engine:StorageHeartbeat:Iscsi:CommandTimeout", "must be at least 1 s");
            foreach (var (host, slot) in iscsi.Slots)
            {
                Require(failures, slot is >= 0 and < 4096, $"Engine:StorageHeartbeat:Iscsi:Slots:{host}", "must be 0..4095");
            }
            Require(failures, iscsi.Slots.Values.Distinct().Count() == iscsi.Slots.Count, "Engine:StorageHeartbeat:Iscsi:Slots", "must give every host its own slot");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Require(List<string> failures, bool ok, string key, string what)
    {
        if (!ok)
        {
            failures.Add($"{key} {what}");
        }
    }
}
