namespace HaAgent.Testing.Lab;

/// <summary>One coordinator's /readyz: does it lead, and whom does the store name as leader with which epoch.</summary>
public sealed record LabReadiness(string Instance, bool Leading, string? Leader, long Epoch, string Body);
