namespace HaAgent.Coordinator.Engine.Documents;

/// <summary>
/// One audit log entry of the engine: every decision of one step (the store takes one audit payload per commit, and
/// a step's decisions belong with the snapshot they led to). <see cref="Action"/> is "engine.step" so readers of the
/// audit log tell it from API mutations.
/// </summary>
internal sealed record EngineAuditDocument(string Action, long Epoch, List<EngineAuditRecordDocument> Records)
{
    public const string StepAction = "engine.step";
}
