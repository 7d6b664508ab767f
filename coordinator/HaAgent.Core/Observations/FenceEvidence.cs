namespace HaAgent.Core.Observations;

/// <summary>What the executing peer read back after fencing, so the coordinator can check the fence instead of trusting "ok".</summary>
public abstract record FenceEvidence;
