namespace HaAgent.Coordinator.Agents;

/// <summary>A waiting order poll; completed once, by whichever comes first: an order, a newer poll, a clear, the timeout, the agent leaving.</summary>
internal sealed class PollWaiter() : TaskCompletionSource<PollEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
