namespace HaAgent.Coordinator.Store;

/// <summary>The leader as the store sees it.</summary>
internal sealed record LeaderInfo(string InstanceId, long Epoch);
