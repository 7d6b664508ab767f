using HaAgent.Protocol.Messages;

namespace HaAgent.Agent.Link;

internal sealed record PollOutcome(PollStatus Status, AgentOrder? Order, string? Problem);
