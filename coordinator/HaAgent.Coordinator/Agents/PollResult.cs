using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Agents;

internal readonly record struct PollResult(PollEnd End, AgentOrder? Order);
