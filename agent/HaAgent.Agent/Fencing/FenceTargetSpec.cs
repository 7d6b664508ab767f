namespace HaAgent.Agent.Fencing;

/// <summary>One thing a fence (or unfence) acts on.</summary>
internal abstract record FenceTargetSpec;
