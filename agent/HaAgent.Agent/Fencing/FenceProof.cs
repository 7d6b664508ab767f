namespace HaAgent.Agent.Fencing;

/// <summary>What the executor read back after acting, so the coordinator checks the fence instead of trusting "ok".</summary>
internal abstract record FenceProof;
