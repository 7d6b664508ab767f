namespace HaAgent.Testing.Lab;

/// <summary>
/// One audit record as GET /v1/audit shows it, flattened: an API mutation (<see cref="Action"/> "vm.create", subject
/// "vms/web1") or one decision of an engine step (<see cref="Kind"/> "fence-verified", subject "host h1").
/// </summary>
public sealed record LabAuditRecord(long Sequence, long Epoch, string? Action, string? Kind, string Subject, string Decision, string Evidence)
{
    /// <summary>When the store entry was written (the writer's clock; same machine in the lab).</summary>
    public DateTimeOffset? RecordedAt { get; init; }

    public override string ToString() =>
        $"#{Sequence} epoch {Epoch} {Kind ?? Action} {Subject}" + (Decision.Length > 0 ? $": {Decision}" : "") + (Evidence.Length > 0 ? $" [{Evidence}]" : "");
}
